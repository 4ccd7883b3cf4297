// Runs the web form's lead rules (wwwroot/lead-rules.js, a classic browser script) over a table of inputs.
// usage: node lead-rules-check.mjs <lead-rules.js> <cases.json>
// cases.json: [{ "field": "rut", "input": "15000005-" }, ...]; input may be null.
// Prints one JSON array, one verdict per case, in order: { "rule": null | "rut.format", "message": "...", "normalized": "..." }.
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";

const [rulesPath, casesPath] = process.argv.slice(2);
if (!rulesPath || !casesPath) {
  console.error("usage: node lead-rules-check.mjs <lead-rules.js> <cases.json>");
  process.exit(2);
}

// A fresh global, as the browser gives the script: only what the script itself defines is there.
const sandbox = {};
runInNewContext(readFileSync(rulesPath, "utf8"), sandbox, { filename: rulesPath });
const rules = sandbox.LeadRules;
if (!rules) {
  console.error(`${rulesPath} did not define globalThis.LeadRules`);
  process.exit(1);
}

const cases = JSON.parse(readFileSync(casesPath, "utf8"));
const verdicts = cases.map(({ field, input }) => {
  if (field === "rut") {
    const verdict = rules.rut(input);
    return { rule: verdict.rule, message: verdict.message ?? null, normalized: verdict.normalized ?? null };
  }
  const error = rules.check(field, input);
  return { rule: error?.rule ?? null, message: error?.message ?? null, normalized: null };
});
console.log(JSON.stringify(verdicts));
