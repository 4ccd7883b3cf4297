// Drives the lead web form in headless Chromium (Debian's /usr/bin/chromium, through playwright-core).
// usage: node webform-test.mjs <form url> <artifacts dir>
// Prints one JSON line with what it saw and the screenshots' paths; exit code 0 only when every check passed.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const [url, artifactsArg] = process.argv.slice(2);
if (!url || !artifactsArg) {
  console.error("usage: node webform-test.mjs <form url> <artifacts dir>");
  process.exit(2);
}
const artifacts = resolve(artifactsArg);
mkdirSync(artifacts, { recursive: true });

function checkDigit(body) {
  let sum = 0;
  let weight = 2;
  for (let i = body.length - 1; i >= 0; i--) {
    sum += Number(body[i]) * weight;
    weight = weight === 7 ? 2 : weight + 1;
  }
  const d = 11 - (sum % 11);
  return d === 11 ? "0" : d === 10 ? "K" : String(d);
}

function randomRutBody() {
  return String(10_000_000 + Math.floor(Math.random() * 15_000_000));
}

const validBody = randomRutBody();
const validRut = `${validBody}-${checkDigit(validBody)}`;
const badBody = randomRutBody();
const badRut = `${badBody}-${checkDigit(badBody) === "1" ? "2" : "1"}`;

const userDataDir = mkdtempSync(join(tmpdir(), "leadflow-webform-"));
const result = { ok: false, checks: [], screenshots: [] };
let context;

async function fillLead(page, rut) {
  await page.getByLabel("Name", { exact: true }).fill("Grace");
  await page.getByLabel("Last name").fill("Hopper");
  await page.getByLabel("RUT").fill(rut);
  await page.getByLabel("Phone").fill("+56 9 7777 8888");
  await page.getByLabel("E-mail").fill("ghopper@example.com");
  await page.getByLabel("Store").fill("PROVIDENCIA");
  await page.getByLabel("Wants to join the benefit programme").check();
}

function check(name, passed, detail) {
  result.checks.push({ name, passed, detail });
  if (!passed) throw new Error(`${name} failed: ${detail}`);
}

try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 900, height: 1100 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(60_000);
  await page.goto(url);
  check("title", (await page.title()).includes("LeadFlow"), await page.title());

  // The browser's own hint for a bad RUT, before anything is sent.
  await page.getByLabel("RUT").fill(badRut);
  await page.getByLabel("Phone").focus();
  const hint = await page.locator("#rut-error").textContent();
  check("client-side RUT hint", /check digit/.test(hint ?? ""), hint);
  check("RUT marked invalid", (await page.getByLabel("RUT").getAttribute("aria-invalid")) === "true", "aria-invalid");

  // A valid lead goes all the way.
  await fillLead(page, validRut);
  await page.getByRole("button", { name: "Send lead" }).click();
  await page.locator('#status[data-outcome="Completed"]').waitFor();
  const completed = await page.locator("#status").textContent();
  check("completed", /completed: client \d+, partner \d+, benefit \d+/.test(completed ?? ""), completed);
  const ids = await page.locator("#ids dd").allTextContents();
  check("ids listed", ids.length === 3 && ids.every((id) => /^\d+/.test(id)), ids.join(","));
  const steps = await page.locator("#steps li").evaluateAll((items) => items.map((i) => i.dataset.state));
  check("all steps done", steps.every((s) => s === "done"), steps.join(","));
  const completedShot = join(artifacts, "webform-completed.png");
  await page.screenshot({ path: completedShot, fullPage: true });
  result.screenshots.push(completedShot);
  result.completed = completed;

  // An invalid RUT sent anyway: the workflow rejects it and the page says why.
  await page.reload();
  await fillLead(page, badRut);
  await page.locator("details summary").click();
  await page.getByLabel(/Check the fields in the browser first/).uncheck();
  await page.getByRole("button", { name: "Send lead" }).click();
  await page.locator('#status[data-outcome="Rejected"]').waitFor();
  const rejected = await page.locator("#status").textContent();
  check("rejected with reason", /rejected at ReceiveLead: rut: check digit does not match/.test(rejected ?? ""), rejected);
  const rejectedShot = join(artifacts, "webform-rejected.png");
  await page.screenshot({ path: rejectedShot, fullPage: true });
  result.screenshots.push(rejectedShot);
  result.rejected = rejected;
  result.ok = true;
} catch (error) {
  result.error = String(error?.stack ?? error);
  try {
    const page = context?.pages()[0];
    if (page) {
      const failedShot = join(artifacts, "webform-failed.png");
      await page.screenshot({ path: failedShot, fullPage: true });
      result.screenshots.push(failedShot);
    }
  } catch {
    // The screenshot is a courtesy; the error above is what matters.
  }
} finally {
  await context?.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
