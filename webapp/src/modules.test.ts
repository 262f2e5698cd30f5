import { describe, expect, it } from "vitest";

// The page's modules, as text: what each imports from the others (type-only imports included, since a cycle of
// those still ties two modules' meanings together).
const sources = import.meta.glob(["./**/*.ts", "!./**/*.test.ts"], { query: "?raw", import: "default", eager: true }) as Record<string, string>;

function importsOf(path: string): string[] {
  const folder = path.slice(0, path.lastIndexOf("/"));
  return [...sources[path]!.matchAll(/^(?:import|export)[^"']*?from\s+["'](\.[^"']+)["']/gm)].map((m) => {
    const parts = `${folder}/${m[1]!}`.split("/");
    const resolved: string[] = [];
    for (const part of parts) {
      if (part === "..") resolved.pop();
      else if (part !== ".") resolved.push(part);
    }
    return `./${resolved.join("/")}.ts`.replace("/./", "/");
  });
}

function cycleFrom(start: string): string[] | null {
  const stack: string[] = [];
  const done = new Set<string>();
  const visit = (path: string): string[] | null => {
    if (stack.includes(path)) return [...stack.slice(stack.indexOf(path)), path];
    if (done.has(path) || sources[path] === undefined) return null;
    stack.push(path);
    for (const next of importsOf(path)) {
      const cycle = visit(next);
      if (cycle !== null) return cycle;
    }
    stack.pop();
    done.add(path);
    return null;
  };
  return visit(start);
}

describe("the page's modules", () => {
  it("are read", () => {
    expect(Object.keys(sources)).toContain("./app.ts");
    expect(importsOf("./main.ts")).toContain("./app.ts");
  });

  it("import each other without a cycle", () => {
    for (const path of Object.keys(sources)) expect(cycleFrom(path), path).toBeNull();
  });
});
