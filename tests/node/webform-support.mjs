// What the web form's browser tests share: headless Chromium (Debian's /usr/bin/chromium, through
// playwright-core), random valid RUTs, filling the form, screenshots and the one-JSON-line report.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { chromium } from "playwright-core";

export function checkDigit(body) {
  let sum = 0;
  let weight = 2;
  for (let i = body.length - 1; i >= 0; i--) {
    sum += Number(body[i]) * weight;
    weight = weight === 7 ? 2 : weight + 1;
  }
  const d = 11 - (sum % 11);
  return d === 11 ? "0" : d === 10 ? "K" : String(d);
}

export function randomRutBody() {
  return String(10_000_000 + Math.floor(Math.random() * 15_000_000));
}

export function randomRut() {
  const body = randomRutBody();
  return `${body}-${checkDigit(body)}`;
}

export async function fillLead(page, rut) {
  await page.getByLabel("Name", { exact: true }).fill("Grace");
  await page.getByLabel("Last name").fill("Hopper");
  await page.getByLabel("RUT").fill(rut);
  await page.getByLabel("Phone").fill("+56 9 7777 8888");
  await page.getByLabel("E-mail").fill("ghopper@example.com");
  await page.getByLabel("Store").fill("PROVIDENCIA");
  await page.getByLabel("Wants to join the benefit programme").check();
}

/**
 * Runs body(page, report, url) on the form in a fresh headless Chromium, then prints the report as one JSON line
 * and exits 0 only when body returned without throwing. The calling script's usage: node <script> <form url>
 * <artifacts dir>. Screenshots are <artifacts>/<name>.png; a failure's is <shotPrefix>-failed.png.
 */
export async function runBrowserTest(shotPrefix, body) {
  const [url, artifactsArg] = process.argv.slice(2);
  if (!url || !artifactsArg) {
    console.error(`usage: node ${basename(process.argv[1] ?? "script.mjs")} <form url> <artifacts dir>`);
    process.exit(2);
  }
  const artifacts = resolve(artifactsArg);
  mkdirSync(artifacts, { recursive: true });

  const userDataDir = mkdtempSync(join(tmpdir(), "leadflow-webform-"));
  const report = {
    ok: false,
    checks: [],
    screenshots: [],
    check(name, passed, detail) {
      this.checks.push({ name, passed, detail });
      if (!passed) throw new Error(`${name} failed: ${detail}`);
    },
    async screenshot(page, name) {
      const path = join(artifacts, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      this.screenshots.push(path);
    },
  };
  let context;
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
    await body(page, report, url);
    report.ok = true;
  } catch (error) {
    report.error = String(error?.stack ?? error);
    try {
      const page = context?.pages()[0];
      if (page) await report.screenshot(page, `${shotPrefix}-failed`);
    } catch {
      // The screenshot is a courtesy; the error above is what matters.
    }
  } finally {
    await context?.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }

  console.log(JSON.stringify(report));
  process.exit(report.ok ? 0 : 1);
}
