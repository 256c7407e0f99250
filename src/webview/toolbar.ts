// Search and filter controls, the critical-path toggle and zoom reset. Emits a whole new filter on
// every change; the rows are rebuilt from it (memoized), so filtering works with virtual rows.
import type { CriticalPathMode, TimelineFilter } from '../protocol/timelineMessages';
import { button, h } from './dom';

export interface ToolbarEvents {
  filter(f: TimelineFilter): void;
  critical(mode: CriticalPathMode): void;
  resetZoom(): void;
  expandAll(expand: boolean): void;
}

export class Toolbar {
  readonly element: HTMLDivElement;
  readonly search: HTMLInputElement;
  private readonly errors: HTMLInputElement;
  private readonly minDur: HTMLInputElement;
  private readonly critical: HTMLSelectElement;
  private readonly title: HTMLSpanElement;
  private readonly status: HTMLSpanElement;
  private readonly live: HTMLSpanElement;
  private debounce = 0;

  constructor(private readonly events: ToolbarEvents) {
    this.element = h('div', 'toolbar');
    this.title = h('span', 'run-title');
    this.live = h('span', 'live', '● live');
    this.live.hidden = true;
    this.search = h('input', 'search');
    this.search.type = 'search';
    this.search.placeholder = 'Filter: name words, key=value…';
    this.search.setAttribute('aria-label', 'Filter spans by name or attribute (key=value)');
    const errLabel = h('label', 'check');
    this.errors = h('input');
    this.errors.type = 'checkbox';
    errLabel.append(this.errors, ' errors only');
    const minLabel = h('label', 'min');
    this.minDur = h('input', 'min-duration');
    this.minDur.type = 'number';
    this.minDur.min = '0';
    this.minDur.placeholder = '0';
    this.minDur.setAttribute('aria-label', 'Minimum duration in milliseconds');
    minLabel.append('≥ ', this.minDur, ' ms');
    const critLabel = h('label', 'crit-select');
    this.critical = h('select');
    for (const [v, t] of [
      ['off', 'Critical path: off'],
      ['run', 'Critical path: run'],
      ['pass', 'Critical path: selected pass'],
    ] as const) {
      const o = h('option', undefined, t);
      o.value = v;
      this.critical.append(o);
    }
    critLabel.append(this.critical);
    this.status = h('span', 'status');
    const emit = () => this.events.filter(this.value());
    this.search.addEventListener('input', () => {
      clearTimeout(this.debounce);
      this.debounce = window.setTimeout(emit, 120);
    });
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        clearTimeout(this.debounce);
        emit();
      }
    });
    this.errors.addEventListener('change', emit);
    this.minDur.addEventListener('input', emit);
    this.critical.addEventListener('change', () => this.events.critical(this.critical.value as CriticalPathMode));
    // The controls that act on the waterfall: hidden while the run's Logs or Metrics tab is open
    // (the wrapper takes no box of its own, so the toolbar lays them out as before).
    const spanControls = h('span', 'span-controls');
    spanControls.append(
      this.search,
      errLabel,
      minLabel,
      critLabel,
      button('Expand all', 'Expand every row', () => this.events.expandAll(true)),
      button('Collapse', 'Collapse to passes', () => this.events.expandAll(false)),
      button('Reset zoom', 'Show the whole run (or double-click the minimap)', () => this.events.resetZoom()),
      this.status,
    );
    this.element.append(this.title, this.live, spanControls);
  }

  value(): TimelineFilter {
    const min = Number(this.minDur.value);
    return { text: this.search.value, errorsOnly: this.errors.checked, minDurationMs: Number.isFinite(min) && min > 0 ? min : 0 };
  }

  set(f: TimelineFilter, mode: CriticalPathMode): void {
    this.search.value = f.text;
    this.errors.checked = f.errorsOnly;
    this.minDur.value = f.minDurationMs > 0 ? String(f.minDurationMs) : '';
    this.critical.value = mode;
  }

  setTitle(title: string, live: boolean): void {
    this.title.textContent = title;
    this.title.title = title;
    this.live.hidden = !live;
  }

  setStatus(text: string): void {
    this.status.textContent = text;
  }
}
