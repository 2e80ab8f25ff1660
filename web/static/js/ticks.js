// Axis helpers: round tick values for a time axis in milliseconds.

/** niceTicks returns about n round values from 0 to max (1, 2 or 5 × 10^k apart). */
export function niceTicks(max, n) {
  if (!(max > 0)) return [0];
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const out = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) out.push(Math.round(t / step) * step);
  return out;
}

/** axisUnit picks ms or s for an axis that spans width milliseconds. */
export const axisUnit = (width) => (width >= 2000 ? { div: 1000, unit: 's' } : { div: 1, unit: 'ms' });
