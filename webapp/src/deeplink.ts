/** The vehicle a page address names (`?vehicle=NAME`), or null. */
export function vehicleFromUrl(href: string): string | null {
  const name = new URL(href).searchParams.get("vehicle");
  return name === null || name === "" ? null : name;
}

/** The page address `href` with `vehicle` set to `name` (removed for null); other parameters and the hash kept. */
export function urlWithVehicle(href: string, name: string | null): string {
  const url = new URL(href);
  if (name === null) url.searchParams.delete("vehicle");
  else url.searchParams.set("vehicle", name);
  return url.toString();
}
