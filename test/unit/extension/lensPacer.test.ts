import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LensPacer } from '../../../src/vscode/lensPacer';

/** A pacer on a hand-moved clock; `fires` counts onDidChangeCodeLenses. */
function rig(staleMs = 1000) {
  let now = 0;
  let live = false;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  const fires: number[] = [];
  const pacer = new LensPacer(
    {
      fire: () => fires.push(now),
      live: () => live,
      now: () => now,
      setTimer: (fn, ms) => {
        const id = nextId++;
        timers.set(id, { at: now + ms, fn });
        return id;
      },
      clearTimer: (h) => timers.delete(h as number),
    },
    staleMs,
  );
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = until;
  };
  return { pacer, fires, advance, setLive: (v: boolean) => (live = v), timers };
}

test('with nothing live, a change fires once and further changes wait for VS Code to ask', () => {
  const r = rig();
  r.pacer.changed();
  r.advance(100);
  r.pacer.changed();
  r.pacer.changed();
  assert.deepEqual(r.fires, [0], 'changes while a fire is pending do not restart VS Code\'s wait');
  r.advance(150);
  r.pacer.asked();
  assert.equal(r.fires.length, 1, 'nothing live: no fire after the ask');
  r.pacer.changed();
  assert.deepEqual(r.fires, [0, 250]);
});

test('while a run is live, every ask sends the next fire at once, so one is always pending', () => {
  const r = rig();
  r.setLive(true);
  r.pacer.liveChanged();
  assert.deepEqual(r.fires, [0], 'the run starting fires');
  r.pacer.liveChanged();
  assert.equal(r.fires.length, 1, 'no second fire while one is pending');
  r.advance(250);
  r.pacer.asked();
  assert.deepEqual(r.fires, [0, 250]);
  // The run's final data arrives mid-wait: no fire (it would restart VS Code's wait); the ask already scheduled reads it.
  r.advance(100);
  r.pacer.changed();
  assert.equal(r.fires.length, 2);
  r.setLive(false);
  r.advance(150);
  r.pacer.asked();
  assert.equal(r.fires.length, 2, 'the run over: no more fires after the ask');
});

test('a fire VS Code does not answer goes stale: a change still unshown fires again after staleMs', () => {
  const r = rig(1000);
  r.pacer.changed();
  r.advance(200);
  r.pacer.changed();
  assert.equal(r.fires.length, 1);
  r.advance(799);
  assert.equal(r.fires.length, 1);
  r.advance(1);
  assert.deepEqual(r.fires, [0, 1000], 'the unanswered change fires once the first fire is stale');
  r.advance(5000);
  assert.equal(r.fires.length, 2, 'and not again without a change');
});

test('an ask clears the stale check; dispose stops all fires', () => {
  const r = rig(1000);
  r.pacer.changed();
  r.pacer.changed();
  r.advance(300);
  r.pacer.asked();
  r.advance(2000);
  assert.equal(r.fires.length, 1, 'the change was read by the ask: nothing left to fire');
  r.pacer.dispose();
  r.pacer.changed();
  r.setLive(true);
  r.pacer.liveChanged();
  assert.equal(r.fires.length, 1);
  assert.equal(r.timers.size, 0);
});
