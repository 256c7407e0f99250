// DOM helpers that only ever set text: span names, attributes and log lines come from untrusted
// programs, so nothing here takes HTML.

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export function append(parent: Element, ...children: (Node | string | undefined | false)[]): void {
  for (const c of children) if (c) parent.append(c);
}

export function button(label: string, title: string, onClick: () => void, className = 'btn'): HTMLButtonElement {
  const b = h('button', className, label);
  b.type = 'button';
  b.title = title;
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

/** Sets text only when it changed (cheap checks keep scrolling frames short). */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
