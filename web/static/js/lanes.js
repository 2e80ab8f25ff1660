// layoutLanes places the timeline's lanes: a label row per variant, then
// one row per goroutine. When that is taller than the box and fit is on,
// neighbouring goroutines share a row (k per row) so every variant stays in
// view; otherwise rows keep a 2px minimum and the box scrolls.

export const HEAD = 20; // px of a variant's label row
const MIN_LANE = 2;
const MAX_LANE = 16;
const MIN_GROUP = 28; // px: a variant with few goroutines gets taller rows

/**
 * @param {{name: string, lanes: Map<number, object>}[]} groups in drawing order
 * @param {number} maxH the box's height in px
 * @param {boolean} fit share rows rather than scroll
 * @returns {{H: number, k: number, folds: boolean, blocks: {group: object, y: number, rows: {lanes: object[], y: number, h: number}[]}[]}}
 */
export function layoutLanes(groups, maxH, fit) {
  const avail = Math.max(40, maxH - 4 - groups.length * HEAD);
  const n = groups.reduce((sum, g) => sum + g.lanes.size, 0);
  const folds = n * MIN_LANE > avail;
  const k = fit && folds ? Math.ceil((n * MIN_LANE) / avail) : 1;
  const nRows = groups.reduce((sum, g) => sum + Math.ceil(g.lanes.size / k), 0);
  const laneH = Math.max(MIN_LANE, Math.min(MAX_LANE, Math.floor(avail / Math.max(nRows, 1))));
  let y = 0;
  const blocks = groups.map((group) => {
    const lanes = [...group.lanes.values()].sort((a, b) => a.worker - b.worker);
    const count = Math.ceil(lanes.length / k);
    const h = Math.max(laneH, Math.min(MAX_LANE, Math.floor(MIN_GROUP / count)));
    const block = { group, y, rows: [] };
    y += HEAD;
    for (let i = 0; i < lanes.length; i += k) {
      block.rows.push({ lanes: lanes.slice(i, i + k), y, h });
      y += h;
    }
    return block;
  });
  return { H: y + 4, k, folds, blocks };
}
