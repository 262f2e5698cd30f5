/** Writes text only when it changed (a write, even of the same text, costs a layout). */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
