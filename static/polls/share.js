// A "Copy link" button beside the share link. Progressive enhancement: the button is made here, only
// where the Clipboard API works, so without script the link is still there to select and copy.
"use strict";

for (const field of document.querySelectorAll(".share-field")) {
  const input = field.querySelector("input");
  if (!input || !navigator.clipboard || !window.isSecureContext) {
    continue;
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-secondary copy-button";
  button.textContent = "Copy link";
  // Announced politely by screen readers; the button's own label change alone often is not.
  const status = document.createElement("span");
  status.className = "copy-status";
  status.setAttribute("aria-live", "polite");
  field.append(button, status);

  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = "Copied";
      status.textContent = "Link copied to the clipboard.";
    } catch {
      input.select();
      status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
    }
  });
  input.addEventListener("focus", () => input.select());
}
