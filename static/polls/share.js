// A "Copy" button beside the share link, the embed code and the visitor's receipt. Progressive
// enhancement: the button is made here, only where the Clipboard API works, so without script the
// text is still there to select and copy. The script holds no words: each field with a
// data-copy-label carries them in the page's language (data-copy-label, data-copied,
// data-copied-status, data-copy-by-hand).
"use strict";

for (const field of document.querySelectorAll("[data-copy-label]")) {
  const input = field.querySelector("input, textarea, [data-receipt]");
  if (!input || !navigator.clipboard || !window.isSecureContext) {
    continue;
  }
  const words = field.dataset;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-secondary copy-button";
  button.textContent = words.copyLabel;
  // Announced politely by screen readers; the button's own label change alone often is not.
  const status = document.createElement("span");
  status.className = "copy-status";
  status.setAttribute("aria-live", "polite");
  field.append(button, status);

  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value ?? input.textContent);
      button.textContent = words.copied;
      status.textContent = words.copiedStatus;
    } catch {
      select(input);
      status.textContent = words.copyByHand;
    }
  });
  input.addEventListener("focus", () => select(input));
}

function select(element) {
  if (element.select) {
    element.select();
  } else {
    window.getSelection().selectAllChildren(element);
  }
}
