import { seg } from "../api";
import { Badge, formatTime } from "../components";
import type { ImageProvenance, ImageTag } from "../types";

/** `sha256:` and the first 12 hex digits: enough to tell digests apart at a glance. */
export function shortDigest(digest: string): string {
  const [algorithm, hex = ""] = digest.split(":");
  return hex.length > 12 ? `${algorithm}:${hex.slice(0, 12)}` : digest;
}

/** A commit id shortened as git does; other revisions (tags, branch names) stay whole. */
export function shortRevision(revision: string): string {
  return /^[0-9a-f]{13,}$/i.test(revision) ? revision.slice(0, 12) : revision;
}

/**
 * A browsable address for a source repository, or undefined when there is none. Only http(s) is ever
 * linked, so a pushed annotation cannot smuggle a `javascript:` URL into the page. STUPS' `git:` and
 * scp-like `git@host:path` forms become the https address of the same repository.
 */
export function sourceHref(url: string): string | undefined {
  const scp = /^(?:git:)?(?:ssh:\/\/)?git@([A-Za-z0-9.-]+)[:/]([^\s]+?)(?:\.git)?\/?$/.exec(url);
  if (scp !== null) return `https://${scp[1]}/${scp[2]}`;
  try {
    const parsed = new URL(url.replace(/^git(?::|\+)(?=https?:)/, ""));
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** The API's notes are clauses ("no source annotations, …"); shown alone they start a sentence. */
export function sentence(note: string): string {
  return note.charAt(0).toUpperCase() + note.slice(1);
}

export function artifactPath(team: string, artifact: string): string {
  return `/images/${seg(team)}/${seg(artifact)}`;
}

export function tagPath(tag: Pick<ImageTag, "team" | "artifact" | "tag">): string {
  return `${artifactPath(tag.team, tag.artifact)}/tags/${seg(tag.tag)}`;
}

/** The repository address as a link when it can be one, else as text. */
export function SourceLink({ url }: { readonly url: string }) {
  const href = sourceHref(url);
  if (href === undefined) return <span className="mono break">{url}</span>;
  return (
    <a className="break" href={href} rel="noreferrer noopener" target="_blank">
      {url}
    </a>
  );
}

/** Clean, dirty or unknown working tree, as a badge. */
export function TreeBadge({ clean }: { readonly clean: boolean | null | undefined }) {
  if (clean === true) return <Badge tone="ok">Clean</Badge>;
  if (clean === false)
    return (
      <Badge tone="danger" title="Built from a working tree with uncommitted changes">
        Dirty
      </Badge>
    );
  return (
    <Badge tone="muted" title="The image does not say whether the working tree was clean">
      Tree unknown
    </Badge>
  );
}

/** The provenance status alone: known sources show nothing here, the rest a clearly coloured badge. */
export function ProvenanceBadge({ provenance }: { readonly provenance: ImageProvenance }) {
  if (provenance.status === "missing") return <Badge tone="danger">No provenance</Badge>;
  if (provenance.status === "pending") return <Badge tone="info">Provenance pending</Badge>;
  return <Badge tone="ok">Provenance known</Badge>;
}

/**
 * Provenance in one table cell: the source as a link, the short revision and the tree's state; or
 * the missing/pending badge with the note saying why.
 */
export function ProvenanceSummary({ provenance }: { readonly provenance: ImageProvenance }) {
  if (provenance.status !== "known" || provenance.url === undefined) {
    return (
      <div className="provenance">
        <ProvenanceBadge provenance={provenance} />
        {provenance.note !== undefined && <span className="muted small">{sentence(provenance.note)}</span>}
      </div>
    );
  }
  return (
    <div className="provenance">
      <SourceLink url={provenance.url} />
      <span className="provenance-line">
        {provenance.revision !== undefined && (
          <code title={provenance.revision}>{shortRevision(provenance.revision)}</code>
        )}
        <TreeBadge clean={provenance.clean} />
      </span>
    </div>
  );
}

/** The revoked badge, its reason beside it. */
export function RevokedNote({ revoked }: { readonly revoked: NonNullable<ImageTag["revoked"]> }) {
  return (
    <div className="revoked-note">
      <Badge tone="critical" title={`Revoked ${formatTime(revoked.at)} by ${revoked.by}`}>
        Revoked
      </Badge>
      <span className="small">{revoked.reason}</span>
    </div>
  );
}
