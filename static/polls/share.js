// A "Copy" button beside the share link and the embed code. Progressive enhancement: the button is
// made here, only where the Clipboard API works, so without script the text is still there to select
// and copy. A field's data-copy-label and data-copied-status say what to call it (the page has them
// in the reader's language); the share link's are the defaults.
"use strict";

for (const field of document.querySelectorAll(".share-field")) {
  const input = field.querySelector("input, textarea");
  if (!input || !navigator.clipboard || !window.isSecureContext) {
    continue;
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-secondary copy-button";
  button.textContent = field.dataset.copyLabel || "Copy link";
  // Announced politely by screen readers; the button's own label change alone often is not.
  const status = document.createElement("span");
  status.className = "copy-status";
  status.setAttribute("aria-live", "polite");
  field.append(button, status);

  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = "Copied";
      status.textContent = field.dataset.copiedStatus || "Link copied to the clipboard.";
    } catch {
      input.select();
      status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected text.";
    }
  });
  input.addEventListener("focus", () => input.select());
}
