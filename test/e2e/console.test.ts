/**
 * The web console in a real browser against a real control plane: the server program started from
 * its environment (embedded PGlite in a temporary data directory) on a loopback port, serving the
 * console as `npm run build` makes it, and the machine's Chromium driven by playwright-core.
 *
 * The story: a person logs in through the authorization code flow with PKCE, registers an
 * application and a version; a second person of the same team approves it and sees it become
 * deployable; a third person, of another team, is refused. Each main page is saved as a screenshot
 * under test-output/screenshots/ (at 1280 and 390 pixels wide) for people to look at.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Api,
  addPerson,
  apiAs,
  type ConsoleBrowser,
  launchConsoleBrowser,
  nav,
  prepareConsole,
  shot,
} from "../support/console.js";
import { freePort } from "../support/registry-server.js";
import { passwordToken } from "../support/server.js";

const ADMIN_PASSWORD = "e2e-console-admin-0123";
const PASSWORD = "a-long-e2e-password-0123";
const DIGEST = `sha256:${"ab12".repeat(16)}`;
const ARTIFACT = `registry.example.org/shop/checkout:1.0.0@${DIGEST}`;

let dir: string;
let url: string;
let stop: (() => Promise<void>) | undefined;
let asAdmin: Api;
let browser: ConsoleBrowser;

describe("the web console in Chromium", () => {
  beforeAll(async () => {
    await prepareConsole();

    dir = await mkdtemp(join(tmpdir(), "charter-e2e-console-"));
    const port = await freePort();
    const { runServer } = await import("../../src/programs/server/main.js");
    const running = await runServer(
      {
        CHARTER_DATA_DIR: join(dir, "data"),
        CHARTER_HOST: "127.0.0.1",
        CHARTER_PORT: String(port),
        CHARTER_ADMIN_PASSWORD: ADMIN_PASSWORD,
        CHARTER_LOG_LEVEL: "silent",
      },
      dir,
    );
    url = running.url.replace("localhost", "127.0.0.1");
    stop = () => running.stop();
    asAdmin = apiAs(url, await passwordToken(running.server, "admin", ADMIN_PASSWORD));

    await asAdmin("POST", "/api/teams", { id: "shop", name: "Shop", description: "Checkout and payments" });
    await asAdmin("POST", "/api/teams", { id: "search", name: "Search" });
    await addPerson(asAdmin, "alice", "shop", PASSWORD);
    await addPerson(asAdmin, "bob", "shop", PASSWORD);
    await addPerson(asAdmin, "carol", "search", PASSWORD);

    browser = await launchConsoleBrowser(url, join(dir, "chromium-profile"));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("takes a version from creation to deployable, and refuses another team's approval", async () => {
    // The first person logs in, deep-linked, and lands where they wanted to go.
    const alice = await browser.logIn("alice", PASSWORD, "/apps", {
      atSignIn: (page) => shot(page, "01-login"),
      atAuthorize: (page) => shot(page, "02-authorize", { narrow: false }),
    });
    await alice.getByRole("heading", { name: "Applications" }).waitFor();
    await alice.getByText("No applications yet.").waitFor();
    await shot(alice, "03-apps-empty");

    // Create an application.
    await alice.getByRole("link", { name: "New application" }).first().click();
    await alice.getByLabel("Id", { exact: true }).fill("checkout");
    await alice.getByLabel("Team").selectOption("shop");
    await alice.getByLabel("Name", { exact: true }).fill("Checkout");
    await alice.getByLabel("Subtitle").fill("Takes the money");
    await alice.getByLabel("Description").fill("Turns baskets into orders and charges the customer.");
    await alice.getByLabel("Source code URL").fill("https://git.example.org/shop/checkout");
    await alice.getByLabel("Service URL").fill("https://checkout.example.org");
    await alice.getByLabel("Criticality").selectOption("3");
    await shot(alice, "04-app-new");
    await alice.getByRole("button", { name: "Create application" }).click();
    await alice.getByRole("heading", { name: "Details" }).waitFor();
    await alice.getByText("No versions yet.").waitFor();
    await shot(alice, "05-app-page");

    // Create a version.
    await alice.getByRole("link", { name: "New version" }).first().click();
    await alice.getByLabel("Version").fill("1.0.0");
    await alice.getByLabel("Artifact").fill("registry.example.org/shop/checkout:1.0.0");
    await alice.getByRole("button", { name: "Create version" }).click();
    // Without a digest the API refuses, and the console shows the problem's detail.
    await expect(alice.getByRole("alert").textContent()).resolves.toMatch(/digest|sha256/i);
    await shot(alice, "06-version-new-error", { narrow: false });
    await alice.getByLabel("Artifact").fill(ARTIFACT);
    await alice.getByLabel("Notes").fill("First release.");
    await alice.getByRole("button", { name: "Create version" }).click();
    await alice.getByRole("heading", { name: "Version 1.0.0" }).waitFor();
    await alice.getByText("Not deployable").waitFor();
    await shot(alice, "07-version-missing");

    // The list finds it by search.
    await nav(alice, "Applications");
    await alice.getByLabel("Search applications").fill("baskets");
    await alice.getByRole("button", { name: "Search" }).click();
    await alice.getByRole("link", { name: "Checkout" }).waitFor();
    await shot(alice, "08-apps-search");

    // A second person of the team approves each missing type, confirming each declaration.
    const bob = await browser.logIn("bob", PASSWORD, "/apps/checkout/versions/1.0.0");
    await bob.getByText("Not deployable").waitFor();
    const missing = ["CODE_CHANGE", "TEST", "DEPLOY"];
    for (const [index, type] of missing.entries()) {
      await bob.getByLabel("Approval type").selectOption(type);
      await bob.locator("blockquote.declaration").waitFor();
      expect(await bob.locator("blockquote.declaration").textContent()).not.toBe("");
      const approve = bob.getByRole("button", { name: "Approve", exact: true });
      expect(await approve.isDisabled()).toBe(true);
      await bob.getByLabel(/I confirm the declaration/).check();
      if (index === 0) await shot(bob, "09-approve-confirm", { narrow: false });
      await approve.click();
      await bob.getByText(`You approved ${type}.`).waitFor();
    }
    await bob.getByTestId("deployable").waitFor();
    await shot(bob, "10-version-deployable");

    // The first person sees it deployable too.
    await alice.goto(`${url}/apps/checkout`);
    await alice.getByText("Deployable", { exact: true }).waitFor();
    await shot(alice, "11-app-page-versions");

    // A third person, of another team, is refused; the console shows why.
    const carol = await browser.logIn("carol", PASSWORD, "/apps/checkout/versions/1.0.0");
    await carol.getByLabel("Approval type").selectOption("DEPLOY");
    await carol.getByLabel(/I confirm the declaration/).check();
    await carol.getByRole("button", { name: "Approve", exact: true }).click();
    const refusal = carol.locator(".form-error");
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/team "shop"|membership/);
    await shot(carol, "12-approve-refused");
    const approvals = (await asAdmin("GET", "/api/apps/checkout/versions/1.0.0/approvals")) as {
      items: { user: string }[];
    };
    expect(approvals.items.map((a) => a.user)).not.toContain("carol");
    await carol.close();
    await bob.close();

    // The other pages: teams, a team, clients with a secret shown once, the audit log.
    const admin = await browser.logIn("admin", ADMIN_PASSWORD, "/teams");
    await admin.getByRole("link", { name: "Shop" }).waitFor();
    await shot(admin, "13-teams");
    await admin.getByRole("link", { name: "Shop" }).click();
    await admin.getByRole("heading", { name: /Members \(2\)/ }).waitFor();
    await shot(admin, "14-team");

    await nav(admin, "Clients");
    await admin.getByRole("button", { name: "New client" }).click();
    const form = admin.getByRole("form", { name: "New client" });
    await form.getByLabel("Id", { exact: true }).fill("checkout-worker");
    await form.getByLabel("Team").selectOption("shop");
    await form.getByLabel("Name", { exact: true }).fill("Checkout worker");
    await form.getByRole("button", { name: "Create client" }).click();
    const secret = admin.getByTestId("client-secret");
    await secret.waitFor();
    expect((await secret.textContent())?.length).toBeGreaterThan(20);
    await admin.getByRole("button", { name: "Copy secret" }).waitFor();
    await shot(admin, "15-clients-secret");

    await nav(admin, "Audit log");
    await admin.getByRole("table").waitFor();
    await admin.getByRole("button", { name: "Verify chain" }).click();
    await admin.getByTestId("verify-report").waitFor();
    expect(await admin.getByTestId("verify-report").textContent()).toContain("Chain intact");
    await shot(admin, "16-audit");

    // A reload of a deep link is answered by the server with the console, not a 404.
    const reload = await admin.goto(`${url}/apps/checkout`);
    expect(reload?.status()).toBe(200);
    await admin.getByRole("heading", { name: "Checkout" }).waitFor();
    await admin.close();
    await alice.close();
  }, 240_000);
});
