#!/usr/bin/env node
// The webapp's half of the contract with the api-gateway: TypeScript generated from the OpenAPI document the
// api-gateway renders (openapi/api-gateway.json, checked in; tests/Fleetman.ApiGateway.Tests keeps it current).
//   src/generated/api-gateway.ts  the REST shapes and the hub's payloads (openapi-typescript)
//   src/generated/vehicle-hub.ts  the hub's path and method names and their parameters, from `x-signalr-hubs`
// src/generated/ is not in git: the document is the one source. npm runs this before dev, build, typecheck and test
// (package.json's pre-scripts), so the page is always compiled and type-checked against what the document says.
//
//   node scripts/generate-contract.mjs           write src/generated/ (npm run generate)
import { readFileSync } from "node:fs";
import { readFile, writeFile, mkdir, rename } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const webapp = join(dirname(fileURLToPath(import.meta.url)), "..");
export const documentPath = join(webapp, "openapi", "api-gateway.json");
export const generatedFolder = join(webapp, "src", "generated");

const header = (what) =>
  `// Generated from openapi/api-gateway.json (${what}) by scripts/generate-contract.mjs: do not edit, run \`npm run generate\`.\n`;

/** The generated files, by path relative to src/generated/, from the document's text. */
export async function generateContract(documentText) {
  const document = JSON.parse(documentText);
  const rest = astToString(await openapiTS(document, { alphabetize: true }));
  return {
    "api-gateway.ts": header("openapi-typescript") + "/* eslint-disable */\n" + rest,
    "vehicle-hub.ts": header("x-signalr-hubs") + hubModule(document),
  };
}

/** A TypeScript type for a parameter schema of x-signalr-hubs: strings, arrays and component references. */
function typeOf(schema, where) {
  if (schema.$ref?.startsWith("#/components/schemas/")) return `components["schemas"][${JSON.stringify(schema.$ref.slice(21))}]`;
  if (schema.type === "string") return "string";
  if (schema.type === "array" && schema.items) return `${typeOf(schema.items, where)}[]`;
  throw new Error(`${where}: no TypeScript type for the schema ${JSON.stringify(schema)}`);
}

function methodsOf(methods, where) {
  return Object.entries(methods ?? {}).map(([name, method]) => ({
    name,
    parameters: (method.parameters ?? []).map((p) => `${p.name}: ${typeOf(p.schema, `${where}.${name}`)}`).join(", "),
  }));
}

function hubModule(document) {
  const hub = document["x-signalr-hubs"]?.vehicles;
  if (!hub) throw new Error(`${relative(webapp, documentPath)} has no x-signalr-hubs.vehicles`);
  const client = methodsOf(hub.clientMethods, "clientMethods");
  const server = methodsOf(hub.serverMethods, "serverMethods");
  const names = (methods) => methods.map((m) => `  ${m.name}: ${JSON.stringify(m.name)},`).join("\n");
  const signatures = (methods) => methods.map((m) => `  ${m.name}(${m.parameters}): void;`).join("\n");
  return `import type { components } from "./api-gateway";

/** Where the vehicle hub is. */
export const vehicleHubPath = ${JSON.stringify(hub.path)};

/** The hub pings a connection it has sent nothing for this long (the api-gateway's Hub__KeepAliveSeconds default). */
export const vehicleHubKeepAliveSeconds = ${JSON.stringify(hub.keepAliveSeconds ?? 15)};

/** Server → client methods, by their names on the wire. */
export const vehicleHubClientMethods = {
${names(client)}
} as const;

/** Client → server methods, by their names on the wire. */
export const vehicleHubServerMethods = {
${names(server)}
} as const;

/** What the hub sends: one handler per server → client method. */
export interface VehicleHubClient {
${signatures(client)}
}

/** What a browser may invoke on the hub. */
export interface VehicleHubServer {
${signatures(server)}
}
`;
}

/** The api-gateway's OpenAPI document, parsed. */
export const readDocument = () => JSON.parse(readFileSync(documentPath, "utf8"));

async function main() {
  const files = await generateContract(await readFile(documentPath, "utf8"));
  await mkdir(generatedFolder, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const path = join(generatedFolder, name);
    if ((await readFile(path, "utf8").catch(() => null)) === text) continue;
    // Written beside and renamed into place: a typecheck and a test started together never read half a file.
    const partial = `${path}.${process.pid}.tmp`;
    await writeFile(partial, text);
    await rename(partial, path);
    console.log(`wrote ${relative(webapp, path)}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
