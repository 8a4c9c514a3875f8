/**
 * A button disabled while its action runs (Mantine's `loading`) loses focus to the page, and a keyboard or screen
 * reader user their place: the action's refusal is said next to the form, and the next Tab starts at the top of
 * the page. While focus stays lost, it is given back to the button once it is enabled again. A button gone by then
 * (its dialog closed, its page left) is left to whatever handles that; focus put anywhere else ends the wait.
 */
export function keepFocusOnBusyButtons(doc: Document = document): () => void {
  let focused: Element | null = null;
  let waiting: HTMLButtonElement | null = null;
  const lost = () => doc.activeElement === null || doc.activeElement === doc.body;
  const onFocusIn = (event: FocusEvent) => {
    focused = event.target as Element;
    waiting = null;
  };
  const observer = new MutationObserver((mutations) => {
    for (const { target } of mutations) {
      if (!(target instanceof HTMLButtonElement)) continue;
      // The browser moves focus off a disabled button a moment later, not at once: it is waited for either way.
      if (target.disabled && target === focused) waiting = target;
      else if (!target.disabled && target === waiting) {
        waiting = null;
        if (lost() && target.isConnected) target.focus();
      }
    }
  });
  doc.addEventListener('focusin', onFocusIn);
  observer.observe(doc.body, { subtree: true, attributes: true, attributeFilter: ['disabled'] });
  return () => {
    doc.removeEventListener('focusin', onFocusIn);
    observer.disconnect();
  };
}
