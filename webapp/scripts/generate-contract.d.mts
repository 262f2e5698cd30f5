/** The api-gateway's OpenAPI document, checked in. */
export const documentPath: string;
/** Where the generated files go: src/generated/. */
export const generatedFolder: string;
/** The generated files, by name within src/generated/, from the document's text. */
export function generateContract(documentText: string): Promise<Record<string, string>>;
/** The api-gateway's OpenAPI document, parsed. */
export function readDocument(): Record<string, unknown>;
