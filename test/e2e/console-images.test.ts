/**
 * The console's image registry pages in a real browser against a listening control plane that skopeo
 * pushes real images into: one with source annotations, one built from a dirty working tree (an
 * scm-source.json saying so), one without any provenance, which is then revoked through the API.
 *
 * The story: a member of the team finds the images from the navigation, filters by team, reads an
 * artifact's tags (provenance, the missing-provenance and revoked badges), opens a tag, and revokes
 * another one through the confirm dialog. A person of another team sees the action disabled, and
 * when the console cannot tell, the API's refusal is shown. Screenshots at 1280 and 390 pixels wide go
 * to test-output/screenshots/images-*.png.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
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
import { buildOciImage, type OciImageOptions } from "../support/oci-image.js";
import { type RegistryServer, skopeo, startRegistryServer } from "../support/registry-server.js";
import { passwordToken, TEST_ADMIN_PASSWORD } from "../support/server.js";

const PASSWORD = "a-long-e2e-password-0123";
const REVISION = "4f2c9a7e1b3d5f60718293a4b5c6d7e8f9012345";
const DIRTY_REVISION = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807";
const REVOKE_REASON = "CVE-2024-3094: the base layer ships a backdoored xz";

let registry: RegistryServer;
let work: string;
let adminToken: string;
let asAdmin: Api;
let browser: ConsoleBrowser;

/** Creates a person of `team` and returns their access token. */
async function person(id: string, team: string): Promise<string> {
  await addPerson(asAdmin, id, team, PASSWORD);
  return passwordToken(registry.server, id, PASSWORD);
}

/** Builds an image in an OCI layout and pushes it with skopeo, as `token`'s owner. */
async function push(token: string, repository: string, options: OciImageOptions & { tag: string }) {
  const image = await buildOciImage(join(work, `${repository.replace("/", "-")}-${options.tag}`), options);
  await skopeo([
    "copy",
    "--dest-tls-verify=false",
    "--dest-creds",
    `oauth2:${token}`,
    image.ref,
    `docker://${registry.host}/${repository}:${options.tag}`,
  ]);
  return image;
}

interface TagJson {
  provenance: { status: string; clean?: boolean | null };
  revoked: null | { at: string; by: string; reason: string };
}

/** Waits until the provenance scanner has looked through the tag's layers. */
async function settledTag(repository: string, tag: string): Promise<TagJson> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const json = (await asAdmin("GET", `/api/images/${repository}/tags/${tag}`)) as TagJson;
    if (json.provenance.status !== "pending") return json;
    if (Date.now() > deadline) throw new Error(`provenance of ${repository}:${tag} still pending`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

/** The row of the tags table whose tag link is `tag`. */
function tagRow(page: Page, tag: string) {
  return page.getByRole("row").filter({ has: page.getByRole("link", { name: tag, exact: true }) });
}

describe("the console's image registry pages in Chromium", () => {
  beforeAll(async () => {
    await prepareConsole();
    work = await mkdtemp(join(tmpdir(), "charter-e2e-images-"));
    registry = await startRegistryServer();
    adminToken = await passwordToken(registry.server, "admin", TEST_ADMIN_PASSWORD);
    asAdmin = apiAs(registry.url, adminToken);

    await asAdmin("POST", "/api/teams", {
      id: "shop",
      name: "Shop",
      description: "Checkout and payments",
    });
    await asAdmin("POST", "/api/teams", { id: "search", name: "Search" });
    const alice = await person("alice", "shop");
    await person("carol", "search");

    await push(alice, "shop/checkout", {
      tag: "1.0.0",
      layers: [{ files: { "app/run.sh": "echo checkout 1.0.0" } }],
      annotations: {
        "org.opencontainers.image.source": "https://github.com/acme/checkout",
        "org.opencontainers.image.revision": REVISION,
        "org.opencontainers.image.authors": "alice@example.org",
      },
    });
    await push(alice, "shop/checkout", {
      tag: "1.1.0",
      layers: [{ files: { "app/run.sh": "echo checkout 1.1.0" } }, { randomBytes: 1_500_000 }],
      scmSource: {
        url: "git:git@github.com:acme/checkout.git",
        revision: DIRTY_REVISION,
        author: "alice",
        status: " M app/run.sh",
      },
    });
    await push(alice, "shop/checkout", {
      tag: "0.9.0",
      layers: [{ files: { "app/run.sh": "echo checkout 0.9.0" } }],
    });
    await push(adminToken, "platform/base", {
      tag: "2024.1",
      layers: [{ files: { "etc/os-release": "ID=charter" } }],
      annotations: {
        "org.opencontainers.image.source": "https://git.example.org/platform/base",
        "org.opencontainers.image.revision": "v2024.1",
      },
    });
    expect((await settledTag("shop/checkout", "0.9.0")).provenance.status).toBe("missing");
    expect((await settledTag("shop/checkout", "1.1.0")).provenance).toMatchObject({
      status: "known",
      clean: false,
    });
    const asAlice = apiAs(registry.url, alice);
    await asAlice("POST", "/api/images/shop/checkout/tags/0.9.0/revoke", { reason: REVOKE_REASON });

    browser = await launchConsoleBrowser(registry.url, join(work, "chromium-profile"));
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: registry.url });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await registry?.close();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it("shows artifacts, tags with provenance and revoked state, and revokes a tag", async () => {
    const alice = await browser.logIn("alice", PASSWORD, "/apps");

    // Images → every team's artifacts, then one team's.
    await nav(alice, "Images");
    await alice.getByRole("heading", { name: "Images", exact: true }).waitFor();
    await alice.getByRole("link", { name: "platform/base" }).waitFor();
    expect(await alice.getByRole("link", { name: "shop/checkout" }).isVisible()).toBe(true);
    await shot(alice, "images-01-list");
    await alice.getByLabel("Team").selectOption("search");
    await alice.getByText("Search has no images yet.").waitFor();
    await shot(alice, "images-02-list-empty");
    await alice.getByLabel("Team").selectOption("shop");
    await alice.getByRole("link", { name: "platform/base" }).waitFor({ state: "detached" });
    expect(new URL(alice.url()).search).toBe("?team=shop");

    // The artifact: tags newest first, each with its provenance or the lack of it.
    await alice.getByRole("link", { name: "shop/checkout" }).click();
    await alice.getByRole("heading", { name: "shop/checkout" }).waitFor();
    const tagLinks = alice.locator("tbody tr td:first-child a");
    await tagLinks.first().waitFor();
    expect(await tagLinks.allTextContents()).toEqual(["0.9.0", "1.1.0", "1.0.0"]);

    const known = tagRow(alice, "1.0.0");
    expect(
      await known.getByRole("link", { name: "https://github.com/acme/checkout" }).getAttribute("href"),
    ).toBe("https://github.com/acme/checkout");
    expect(await known.textContent()).toContain(REVISION.slice(0, 12));
    expect(await known.textContent()).toContain("Tree unknown");
    expect(await known.textContent()).toContain("by alice");
    expect(await known.textContent()).not.toContain("Revoked");

    const dirty = tagRow(alice, "1.1.0");
    expect(await dirty.getByText("Dirty", { exact: true }).isVisible()).toBe(true);
    expect(
      await dirty.getByRole("link", { name: "git:git@github.com:acme/checkout.git" }).getAttribute("href"),
    ).toBe("https://github.com/acme/checkout");

    const bare = tagRow(alice, "0.9.0");
    expect(await bare.getByText("No provenance", { exact: true }).isVisible()).toBe(true);
    expect(await bare.getByText("Revoked", { exact: true }).isVisible()).toBe(true);
    expect(await bare.textContent()).toContain(REVOKE_REASON);
    expect(await bare.textContent()).toMatch(/no source annotations/i);
    await shot(alice, "images-03-artifact");

    // A tag with known provenance: every field, and a reference to copy.
    await known.getByRole("link", { name: "1.0.0", exact: true }).click();
    await alice.getByRole("heading", { name: "Provenance" }).waitFor();
    const reference = `${registry.host}/shop/checkout:1.0.0`;
    await alice.getByText(reference, { exact: true }).waitFor();
    await alice.getByRole("button", { name: "Copy the reference" }).click();
    await alice.getByRole("button", { name: "Copied" }).waitFor();
    expect(await alice.evaluate("navigator.clipboard.readText()")).toBe(reference);
    const main = alice.getByRole("main");
    for (const text of [
      "linux/amd64",
      "application/vnd.oci.image.manifest.v1+json",
      REVISION,
      "alice@example.org",
      "Provenance known",
      "Usable",
    ]) {
      expect(await main.textContent(), text).toContain(text);
    }
    expect(await alice.getByRole("button", { name: "Revoke tag" }).isEnabled()).toBe(true);
    await shot(alice, "images-04-tag");

    // The revoked tag without provenance says both, and offers no revoke.
    await alice.goto(`${registry.url}/images/shop/checkout/tags/0.9.0`);
    await alice.getByRole("heading", { name: /This tag is revoked/ }).waitFor();
    expect(await alice.getByText(REVOKE_REASON).isVisible()).toBe(true);
    expect(await alice.getByTestId("provenance-status").textContent()).toContain(
      "does not know which source this image was built from",
    );
    expect(await alice.getByRole("button", { name: "Revoke tag" }).count()).toBe(0);
    await shot(alice, "images-05-tag-revoked");

    // A person of another team sees the action disabled, with why.
    const carol = await browser.logIn("carol", PASSWORD, "/images/shop/checkout/tags/1.1.0");
    await carol.getByText("Only members of team shop and administrators can revoke its tags.").waitFor();
    expect(await carol.getByRole("button", { name: "Revoke tag" }).isDisabled()).toBe(true);
    await shot(carol, "images-06-tag-not-member");

    // When the console cannot tell (the team cannot be read), the API decides, and its 403 shows.
    await carol.route("**/api/teams/shop", (route) =>
      route.fulfill({
        status: 503,
        contentType: "application/problem+json",
        body: JSON.stringify({ title: "Unavailable", status: 503 }),
      }),
    );
    await carol.reload();
    const carolRevoke = carol.getByRole("button", { name: "Revoke tag" });
    await carolRevoke.waitFor();
    // (The console retries a 503 twice before it gives up on knowing.)
    await expect.poll(() => carolRevoke.isEnabled(), { timeout: 15_000 }).toBe(true);
    await carolRevoke.click();
    const carolDialog = carol.getByRole("dialog");
    await carolDialog.getByLabel("Reason").fill("not mine to revoke");
    await carolDialog.getByRole("button", { name: "Revoke tag" }).click();
    await carolDialog.getByRole("alert").waitFor();
    expect(await carolDialog.getByRole("alert").textContent()).toMatch(/membership in team shop/);
    await shot(carol, "images-07-revoke-refused", { narrow: false, fullPage: false });
    await carol.close();

    // An administrator, of no team but platform, may revoke any team's tags.
    const admin = await browser.logIn("admin", TEST_ADMIN_PASSWORD, "/images/shop/checkout/tags/1.0.0");
    await admin.getByRole("heading", { name: "Provenance" }).waitFor();
    await expect.poll(() => admin.getByRole("button", { name: "Revoke tag" }).isEnabled()).toBe(true);
    await admin.close();

    // The member revokes the dirty build: the reason is required, and a dialog confirms.
    await alice.goto(`${registry.url}/images/shop/checkout/tags/1.1.0`);
    await alice.getByRole("button", { name: "Revoke tag" }).click();
    const dialog = alice.getByRole("dialog");
    await dialog.getByRole("heading", { name: /Revoke shop\/checkout:1.1.0/ }).waitFor();
    const confirm = dialog.getByRole("button", { name: "Revoke tag" });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Reason").fill("Built from a dirty working tree");
    expect(await confirm.isEnabled()).toBe(true);
    await shot(alice, "images-08-revoke-dialog", { fullPage: false });
    await confirm.click();
    await alice.getByRole("status").filter({ hasText: "The tag is revoked." }).waitFor();
    await alice.getByRole("heading", { name: /This tag is revoked/ }).waitFor();
    expect(await alice.getByRole("dialog").count()).toBe(0);
    await shot(alice, "images-09-tag-revoked-now");
    const revoked = (await asAdmin("GET", "/api/images/shop/checkout/tags/1.1.0")) as TagJson;
    expect(revoked.revoked).toMatchObject({ by: "alice", reason: "Built from a dirty working tree" });

    // The artifact's list shows it revoked too, and the team page links to its images.
    await alice
      .getByRole("navigation", { name: "Breadcrumb" })
      .getByRole("link", { name: "checkout" })
      .click();
    await tagRow(alice, "1.1.0").getByText("Revoked", { exact: true }).waitFor();
    await alice.goto(`${registry.url}/teams/shop`);
    await alice.getByRole("main").getByRole("link", { name: "Images" }).click();
    await alice.getByRole("link", { name: "shop/checkout" }).waitFor();
    expect(new URL(alice.url()).search).toBe("?team=shop");
    await alice.close();
  }, 240_000);
});
