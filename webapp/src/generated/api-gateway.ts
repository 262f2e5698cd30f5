// Generated from openapi/api-gateway.json (openapi-typescript) by scripts/generate-contract.mjs: do not edit, run `npm run generate`.
/* eslint-disable */
export interface paths {
    "/api/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Fleet events with time ≥ `since` (optional, ISO 8601), newest first, at most `limit` (default 100, at most 1000); new ones are pushed on the hub as `fleetEvents`. */
        get: operations["GetFleetEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/fleet/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How many vehicles there are, how many are moving and how many have gone quiet. */
        get: operations["GetFleetSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/geofences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The geofences stored through this API (the queue-consumer also uses those of its configuration). */
        get: operations["GetGeofences"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/geofences/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One stored geofence, or a 404 problem. */
        get: operations["GetGeofence"];
        /** Creates the geofence or replaces its ring (admin credentials, HTTP Basic); the queue-consumers use it within their geofence refresh (5 s). */
        put: operations["SaveGeofence"];
        post?: never;
        /** Deletes the geofence (admin credentials, HTTP Basic); vehicles inside it leave it without an event. */
        delete: operations["DeleteGeofence"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every vehicle's positions from `from` to `to` (both required, both included) in time order, the first `limit`: a replay reads on from the last time it got. */
        get: operations["GetFleetHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/history/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One vehicle's trail as the original Fleetman gave it, `[{lat, lng}]` oldest first (the tracker's default history limit). */
        get: operations["GetHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/vehicles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The latest position of every vehicle; the last known ones from Redis while the tracker is unavailable. */
        get: operations["GetVehicles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/vehicles/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The latest position of one vehicle; its last known one from Redis while the tracker is unavailable. */
        get: operations["GetVehicle"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/vehicles/{name}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One vehicle's positions in a time range, oldest first; the most recent `limit` when more match. */
        get: operations["GetVehicleHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        DetailedHistoryPointResponse: {
            /** Format: double */
            heading: null | number;
            /** Format: double */
            lat: number;
            /** Format: double */
            lng: number;
            /** Format: double */
            speed: null | number;
            /** Format: date-time */
            time: string;
        };
        /** @enum {unknown} */
        FleetEventKind: "overspeed_started" | "overspeed_ended" | "stopped" | "moving_again" | "geofence_entered" | "geofence_left";
        FleetEventResponse: {
            geofence: null | string;
            id: string;
            kind: components["schemas"]["FleetEventKind"];
            /** Format: double */
            lat: number;
            /** Format: double */
            limitKph: null | number;
            /** Format: double */
            lng: number;
            /** Format: double */
            speedKph: null | number;
            /** Format: date-time */
            time: string;
            vehicle: string;
        };
        FleetHistoryPointResponse: {
            /** Format: double */
            heading: null | number;
            /** Format: double */
            lat: number;
            /** Format: double */
            lng: number;
            name: string;
            /** Format: double */
            speed: null | number;
            /** Format: date-time */
            time: string;
        };
        FleetSummaryResponse: {
            /** Format: date-time */
            at: string;
            /** Format: int32 */
            moving: number;
            /** Format: date-time */
            newestReport: null | string;
            /** Format: int32 */
            stale: number;
            /** Format: int32 */
            vehicles: number;
        };
        GeofenceRequest: {
            ring: null | number[][];
        };
        GeofenceResponse: {
            name: string;
            ring: number[][];
        };
        HistoryPointResponse: {
            /** Format: double */
            lat: number;
            /** Format: double */
            lng: number;
        };
        HttpValidationProblemDetails: {
            detail?: null | string;
            errors?: {
                [key: string]: string[];
            };
            instance?: null | string;
            /** Format: int32 */
            status?: null | number;
            title?: null | string;
            type?: null | string;
        };
        LivePosition: {
            /** Format: double */
            heading: null | number;
            /** Format: double */
            lat: number;
            /** Format: double */
            lng: number;
            name: string;
            /** Format: double */
            speed: null | number;
            /** Format: date-time */
            time: string;
        };
        ProblemDetails: {
            detail?: null | string;
            instance?: null | string;
            /** Format: int32 */
            status?: null | number;
            title?: null | string;
            type?: null | string;
        };
        VehiclePositionResponse: {
            /** Format: double */
            lat: number;
            /** Format: double */
            longitude: number;
            name: string;
            /** Format: double */
            speed: null | number;
            /** Format: date-time */
            timestamp: string;
        };
    };
    responses: {
        /** @description Bad Request */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["HttpValidationProblemDetails"];
            };
        };
        /** @description Not Found */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["ProblemDetails"];
            };
        };
        /** @description Service Unavailable */
        ServiceUnavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["ProblemDetails"];
            };
        };
        /** @description Unauthorized */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["ProblemDetails"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    GetFleetEvents: {
        parameters: {
            query?: {
                limit?: string;
                since?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FleetEventResponse"][];
                };
            };
            400: components["responses"]["BadRequest"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    GetFleetSummary: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FleetSummaryResponse"];
                };
            };
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    GetGeofences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GeofenceResponse"][];
                };
            };
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    GetGeofence: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GeofenceResponse"];
                };
            };
            404: components["responses"]["NotFound"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    SaveGeofence: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["GeofenceRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GeofenceResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    DeleteGeofence: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    GetFleetHistory: {
        parameters: {
            query?: {
                from?: string;
                limit?: string;
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FleetHistoryPointResponse"][];
                };
            };
            400: components["responses"]["BadRequest"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    GetHistory: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HistoryPointResponse"][];
                };
            };
            404: components["responses"]["NotFound"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    GetVehicles: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VehiclePositionResponse"][];
                };
            };
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    GetVehicle: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VehiclePositionResponse"];
                };
            };
            404: components["responses"]["NotFound"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    GetVehicleHistory: {
        parameters: {
            query?: {
                from?: string;
                limit?: string;
                to?: string;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DetailedHistoryPointResponse"][];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
}
