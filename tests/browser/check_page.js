// Opens the page of `unspun serve` in headless Chromium (Debian's /usr/bin/chromium, or
// $CHROMIUM), types a paragraph, clicks Score, waits for the verdict and prints what it shows as
// JSON: {"verdict", "p", "marks": [{"text", "title"}], "surest": [same, with "only the surest"
// highlighted]}; saves a screenshot (of the first scoring).
// Usage: node check_page.js URL TEXT SCREENSHOT.png
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

async function main() {
  const [url, text, shot] = process.argv.slice(2);
  if (!url || !text || !shot) throw new Error("usage: node check_page.js URL TEXT SCREENSHOT.png");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "unspun-chromium-"));
  // A fresh profile and no background networking: the machine's network is closed, and the page
  // must need nothing from it.
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    viewport: { width: 900, height: 640 },
  });
  const failed = [];
  try {
    const page = browser.pages()[0] || (await browser.newPage());
    page.on("requestfailed", (r) => failed.push(r.url()));
    page.on("pageerror", (e) => failed.push("page error: " + e.message));
    const external = [];
    page.on("request", (r) => { if (!r.url().startsWith(url.replace(/\/$/, ""))) external.push(r.url()); });
    await page.goto(url);
    await page.fill("#text", text);
    await page.click("#score");
    await page.waitForSelector("#verdict .label", { timeout: 60000 });
    const verdict = await page.textContent("#verdict .label");
    const p = await page.textContent("#p").catch(() => null);
    const marks = await page.$$eval("#marked mark", (ms) => ms.map((m) => ({ text: m.textContent, title: m.title })));
    // Hover the first highlight so that the screenshot shows its likely original.
    if (marks.length) await page.hover("#marked mark");
    await page.screenshot({ path: shot, fullPage: true });
    // Again with only the surest phrases highlighted (the page sends its swap threshold).
    await page.selectOption("#sensitivity", "0.95");
    await Promise.all([page.waitForResponse((r) => r.url().endsWith("/score")), page.click("#score")]);
    await page.waitForFunction(() => !document.getElementById("score").disabled);
    const surest = await page.$$eval("#marked mark", (ms) => ms.map((m) => ({ text: m.textContent, title: m.title })));
    if (external.length) throw new Error("the page asked for other hosts: " + external.join(", "));
    if (failed.length) throw new Error("failed: " + failed.join(", "));
    console.log(JSON.stringify({ verdict, p, marks, surest }));
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
