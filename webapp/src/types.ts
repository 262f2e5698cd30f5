/** One position report as the hub sends it (`snapshot` and `positions`). */
export interface Position {
  name: string;
  lat: number;
  lng: number;
  /** Report time, epoch milliseconds (parsed from the ISO-8601 `time`). */
  time: number;
  /** Miles per hour, or null when unknown (a vehicle's first report). */
  speed: number | null;
  /** Degrees clockwise from north, or null when unknown. */
  heading: number | null;
}

export interface LatLng {
  lat: number;
  lng: number;
}

export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

export type SortKey = "name" | "lastSeen" | "speed";
export type SortDirection = "asc" | "desc";

export interface SortOrder {
  key: SortKey;
  direction: SortDirection;
}
