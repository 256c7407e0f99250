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

const SEPARATOR = /[_\-./:\\@#]/;

/**
 * Lets long identifiers (`register_cluster_node_to_lb`, paths) wrap after their separators only:
 * a `<wbr>` after each separator in the text nodes below `root`. Text stays text.
 */
export function wrapAtSeparators(root: Element): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (SEPARATOR.test((n as Text).data) && (n as Text).data.length > 12) nodes.push(n as Text);
  for (const node of nodes) {
    const parts = node.data.split(/(?<=[_\-./:\\@#])/);
    if (parts.length < 2) continue;
    const frag = document.createDocumentFragment();
    parts.forEach((p, i) => {
      frag.append(p);
      if (i < parts.length - 1) frag.append(document.createElement('wbr'));
    });
    node.replaceWith(frag);
  }
}
