/** "now", "12 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function formatAge(ageMs: number): string {
  const s = Math.floor(ageMs / 1000);
  if (s < 2) return "now";
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

const two = (n: number): string => String(n).padStart(2, "0");

/** HH:mm:ss in the browser's time zone (as the original Fleetman list). */
export function formatClock(time: number): string {
  const d = new Date(time);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Whole mph, or an en dash when unknown. */
export function formatSpeed(speed: number | null): string {
  return speed === null ? "–" : String(Math.round(speed));
}

const compass = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"];

/** "NE 45°", or an en dash when unknown. */
export function formatHeading(heading: number | null): string {
  if (heading === null) return "–";
  const h = ((heading % 360) + 360) % 360;
  return `${compass[Math.round(h / 45) % 8]} ${Math.round(h) % 360}°`;
}
