import { formatAge, formatClock, formatHeading, formatSpeed } from "./format";
import type { Vehicle } from "./state";

/** What the card over a vehicle's marker says, as label and value pairs. */
export function cardFacts(vehicle: Vehicle, serverNow: number): [string, string][] {
  const p = vehicle.latest;
  return [
    ["Speed", vehicle.stale ? "– (stale)" : `${formatSpeed(p.speed)} mph`],
    ["Heading", vehicle.stale ? "–" : formatHeading(p.heading)],
    ["Last seen", `${formatClock(p.time)} (${formatAge(serverNow - p.time)})`],
  ];
}

/** The card's element: the name, then the facts. */
export function vehicleCard(vehicle: Vehicle, serverNow: number): HTMLElement {
  const card = document.createElement("div");
  card.dataset.testid = "vehicle-card";
  const title = card.appendChild(document.createElement("strong"));
  title.textContent = vehicle.name;
  const facts = card.appendChild(document.createElement("dl"));
  for (const [label, value] of cardFacts(vehicle, serverNow)) {
    const row = facts.appendChild(document.createElement("div"));
    row.appendChild(document.createElement("dt")).textContent = label;
    row.appendChild(document.createElement("dd")).textContent = value;
  }
  return card;
}
