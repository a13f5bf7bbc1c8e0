// A "Copy link" button beside the share link. Progressive enhancement: the button is made here, only
// where the Clipboard API works, so without script the link is still there to select and copy.
// Its words come from the page (data-* attributes of .share-field), in the page's language.
"use strict";

for (const field of document.querySelectorAll(".share-field")) {
  const input = field.querySelector("input");
  if (!input || !navigator.clipboard || !window.isSecureContext) {
    continue;
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-secondary copy-button";
  button.textContent = field.dataset.copy;
  // Announced politely by screen readers; the button's own label change alone often is not.
  const status = document.createElement("span");
  status.className = "copy-status";
  status.setAttribute("aria-live", "polite");
  field.append(button, status);

  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = field.dataset.copied;
      status.textContent = field.dataset.copiedStatus;
    } catch {
      input.select();
      status.textContent = field.dataset.copyByHand;
    }
  });
  input.addEventListener("focus", () => input.select());
}
