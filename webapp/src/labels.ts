/** A vehicle that could get a label: its name and its marker's position on screen (container pixels). */
export interface LabelCandidate {
  name: string;
  x: number;
  y: number;
}

export interface LabelOptions {
  zoom: number;
  /** Below this zoom only the selected vehicle is labelled. */
  minZoom: number;
  max: number;
  /** Approximate label box for a name: it starts `offsetX` right of the marker, centred vertically. */
  charWidth: number;
  padding: number;
  height: number;
  offsetX: number;
}

export const defaultLabelOptions: Omit<LabelOptions, "zoom" | "minZoom" | "max"> = { charWidth: 6.6, padding: 12, height: 18, offsetX: 10 };

/**
 * Which vehicles get a name label on the map. The selected vehicle always does. From `minZoom`, the others in
 * `candidates` (the ones in view) get one while it does not overlap a label already placed, at most `max`:
 * labels shown now keep their place first (so labels do not flicker as vehicles move), then the rest in the
 * order given.
 */
export function chooseLabels(
  candidates: readonly LabelCandidate[],
  selected: LabelCandidate | null,
  shown: ReadonlySet<string>,
  options: LabelOptions,
): Set<string> {
  const out = new Set<string>();
  const cell = 64;
  const grid = new Map<string, { x0: number; y0: number; x1: number; y1: number }[]>();
  const boxOf = (c: LabelCandidate) => {
    const x0 = c.x + options.offsetX;
    const y0 = c.y - options.height / 2;
    return { x0, y0, x1: x0 + c.name.length * options.charWidth + options.padding, y1: y0 + options.height };
  };
  const cellsOf = (b: { x0: number; y0: number; x1: number; y1: number }): string[] => {
    const keys: string[] = [];
    for (let gx = Math.floor(b.x0 / cell); gx <= Math.floor(b.x1 / cell); gx++) {
      for (let gy = Math.floor(b.y0 / cell); gy <= Math.floor(b.y1 / cell); gy++) keys.push(`${gx},${gy}`);
    }
    return keys;
  };
  const place = (c: LabelCandidate, force: boolean): boolean => {
    const b = boxOf(c);
    const keys = cellsOf(b);
    if (!force) {
      for (const k of keys) {
        for (const o of grid.get(k) ?? []) {
          if (b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1) return false;
        }
      }
    }
    for (const k of keys) {
      const list = grid.get(k);
      if (list === undefined) grid.set(k, [b]);
      else list.push(b);
    }
    out.add(c.name);
    return true;
  };
  if (selected !== null) place(selected, true);
  if (options.zoom < options.minZoom) return out;
  let placed = 0;
  const tryPlace = (c: LabelCandidate): void => {
    if (placed >= options.max || out.has(c.name)) return;
    if (place(c, false)) placed++;
  };
  for (const c of candidates) if (shown.has(c.name)) tryPlace(c);
  for (const c of candidates) if (!shown.has(c.name)) tryPlace(c);
  return out;
}

/** Names to add and remove to go from the labels shown to the labels wanted. */
export function diffSets(shown: ReadonlySet<string>, wanted: ReadonlySet<string>): { add: string[]; remove: string[] } {
  const add: string[] = [];
  const remove: string[] = [];
  for (const n of wanted) if (!shown.has(n)) add.push(n);
  for (const n of shown) if (!wanted.has(n)) remove.push(n);
  return { add, remove };
}
