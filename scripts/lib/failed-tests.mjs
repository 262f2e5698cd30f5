// Prints every failed test of the run's TRX reports with the head of its message and stack, last in the test
// command's output: CI shows only the tail of a run, and the tail must name what failed and why.
// Usage: node scripts/lib/failed-tests.mjs <results-directory>            the failures, as above
//        node scripts/lib/failed-tests.mjs <results-directory> --names    one line per failed test: assembly, a tab,
//                                                                         the test's name without its arguments
//                                                                         (a dotnet test filter's FullyQualifiedName)
//        node scripts/lib/failed-tests.mjs <results-directory> --unconfirmed <again-directory>
//                                                                         one line per failed test that did not pass
//                                                                         in the reports of its run alone: failed,
//                                                                         skipped (e.g. its engine gone) or not run
//        node scripts/lib/failed-tests.mjs <again-directory> --outcomes   one line per test result: its outcome, name
//                                                                         and duration (what the run alone gave,
//                                                                         skipped and not run included)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [dir, mode, againDir] = process.argv.slice(2);
const maxLines = 40;
const unescape = (s) =>
  s
    .replace(/&#xD;/g, "")
    .replace(/&#xA;/g, "\n")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
const section = (xml, tag) => {
  const m = xml.match(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`));
  return m ? unescape(m[1]).trim() : "";
};

/** Every test result of the TRX reports in a folder: assembly, name (with its arguments), outcome, and its body. */
function results(folder) {
  const all = [];
  for (const file of readdirSync(folder).filter((f) => f.endsWith(".trx"))) {
    const xml = readFileSync(join(folder, file), "utf8");
    // A passed test's element may close itself; only a result with a body can carry an error.
    for (const m of xml.matchAll(/<UnitTestResult\b([^>]*?)(?:\/>|>([\s\S]*?)<\/UnitTestResult>)/g)) {
      all.push({
        assembly: file.replace(/\.trx$/, ""),
        name: unescape(m[1].match(/testName="([^"]*)"/)?.[1] ?? "(unnamed)"),
        outcome: m[1].match(/outcome="([^"]*)"/)?.[1] ?? "",
        duration: m[1].match(/duration="([^"]*)"/)?.[1] ?? "",
        body: m[2] ?? "",
      });
    }
  }
  return all;
}

const failures = results(dir)
  .filter((r) => r.outcome === "Failed")
  .map((r) => ({ ...r, message: section(r.body, "Message"), stack: section(r.body, "StackTrace") }));
if (mode === "--unconfirmed") {
  // A rerun passes a test only by passing it: skipped (a Docker engine or browser gone meanwhile) is no pass.
  const passedAgain = new Set(results(againDir).filter((r) => r.outcome === "Passed").map((r) => `${r.assembly}\t${r.name}`));
  for (const f of failures) if (!passedAgain.has(`${f.assembly}\t${f.name}`)) console.log(`${f.assembly}\t${f.name}`);
} else if (mode === "--outcomes") {
  for (const r of results(dir)) console.log(`  ${r.outcome} ${r.name} [${r.duration}]`);
} else if (mode === "--names") {
  for (const f of failures) console.log(`${f.assembly}\t${f.name.replace(/\(.*$/s, "")}`);
} else if (failures.length > 0) {
  console.log(`\n${failures.length} failed test(s):`);
  for (const f of failures) {
    const lines = `${f.message}\n${f.stack}`.split("\n");
    const shown = lines.slice(0, maxLines).map((l) => `    ${l}`);
    if (lines.length > maxLines) shown.push(`    … ${lines.length - maxLines} more lines in the TRX report`);
    console.log(`\nFAILED ${f.name} (${f.duration})\n${shown.join("\n")}`);
  }
}
