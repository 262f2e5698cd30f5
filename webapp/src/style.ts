/** Canvas marker look; kept apart from Leaflet so it can be tested. Matches L.CircleMarkerOptions. */
export interface MarkerStyle {
  radius: number;
  color: string;
  weight: number;
  fillColor: string;
  fillOpacity: number;
  opacity: number;
}

export const colors = {
  vehicle: "#1565c0",
  stale: "#9e9e9e",
  selected: "#d32f2f",
  outline: "#ffffff",
  trail: "red",
} as const;

export function markerStyle(selected: boolean, stale: boolean): MarkerStyle {
  if (selected) {
    return { radius: 9, color: stale ? colors.selected : colors.outline, weight: 3, fillColor: stale ? colors.stale : colors.selected, fillOpacity: 1, opacity: 1 };
  }
  return stale
    ? { radius: 6, color: colors.outline, weight: 1, fillColor: colors.stale, fillOpacity: 0.55, opacity: 0.7 }
    : { radius: 6, color: colors.outline, weight: 1.5, fillColor: colors.vehicle, fillOpacity: 0.9, opacity: 1 };
}

/** The original Fleetman's trail: red, weight 10, opacity 0.5. */
export const trailStyle = { color: colors.trail, weight: 10, opacity: 0.5, interactive: false } as const;

/** Arrows point in steps of this many degrees: few sprites, and a heading that wobbles does not redraw them. */
export const headingStep = 15;

/**
 * Which way a vehicle's marker points, in whole `headingStep`s clockwise from north; null for no arrow (a stopped
 * or stale vehicle, or one whose heading is unknown, has no direction worth showing).
 */
export function arrowHeading(heading: number | null, speed: number | null, stale: boolean, movingMph: number): number | null {
  if (stale || heading === null || speed === null || speed < movingMph) return null;
  const h = ((heading % 360) + 360) % 360;
  return (Math.round(h / headingStep) * headingStep) % 360;
}
