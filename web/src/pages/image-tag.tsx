import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { get, seg } from "../api";
import { Badge, CopyButton, ErrorState, formatBytes, formatTime, Loading, PageHeader } from "../components";
import type { ImageProvenance, ImageTag } from "../types";
import {
  artifactPath,
  ProvenanceBadge,
  SourceLink,
  sentence,
  shortDigest,
  TreeBadge,
} from "./image-provenance";
import { RevokeDialog, useMayChangeTeam } from "./image-revoke";

const ORIGINS: Record<NonNullable<ImageProvenance["origin"]>, string> = {
  annotations: "OCI annotations (org.opencontainers.image.source, …revision)",
  "scm-source.json": "/scm-source.json in the image",
  referrer: "An scm-source referrer artifact",
};

/** A value to copy, whole and selectable, with its copy button. */
function Copyable({ text, what }: { readonly text: string; readonly what: string }) {
  return (
    <span className="copyable">
      <code className="break">{text}</code>
      <CopyButton text={text} ariaLabel={`Copy ${what}`} />
    </span>
  );
}

function ProvenancePanel({ provenance }: { readonly provenance: ImageProvenance }) {
  return (
    <section className="panel" aria-labelledby="provenance-heading">
      <div className="panel-header">
        <h2 id="provenance-heading">Provenance</h2>
        <ProvenanceBadge provenance={provenance} />
      </div>
      {provenance.status === "known" ? (
        <dl className="details">
          <dt>Source</dt>
          <dd>
            {provenance.url === undefined ? (
              <span className="muted">—</span>
            ) : (
              <SourceLink url={provenance.url} />
            )}
          </dd>
          <dt>Revision</dt>
          <dd>
            {provenance.revision === undefined ? (
              <span className="muted">—</span>
            ) : (
              <Copyable text={provenance.revision} what="the revision" />
            )}
          </dd>
          <dt>Working tree</dt>
          <dd>
            <span className="provenance-line">
              <TreeBadge clean={provenance.clean} />
              <span className="muted small">
                {provenance.clean === true
                  ? "No uncommitted changes when built"
                  : provenance.clean === false
                    ? "Built with uncommitted changes: the revision alone does not reproduce it"
                    : "The image does not say"}
              </span>
            </span>
          </dd>
          <dt>Author</dt>
          <dd>{provenance.author ?? <span className="muted">Not recorded</span>}</dd>
          <dt>Found in</dt>
          <dd>
            {provenance.origin === undefined ? <span className="muted">—</span> : ORIGINS[provenance.origin]}
          </dd>
        </dl>
      ) : (
        <div
          className={`status ${provenance.status === "missing" ? "status-bad" : "status-info"}`}
          data-testid="provenance-status"
        >
          <strong>
            {provenance.status === "missing"
              ? "Charter does not know which source this image was built from."
              : "Charter is still looking through the image's layers for its source."}
          </strong>
          {provenance.note !== undefined && <p>{sentence(provenance.note)}</p>}
          {provenance.status === "missing" && (
            <p className="small">
              Add the annotations <code>org.opencontainers.image.source</code> and{" "}
              <code>org.opencontainers.image.revision</code> when building, or a <code>/scm-source.json</code>
              .
            </p>
          )}
        </div>
      )}
    </section>
  );
}

/** One tag: what to pull, every field the registry keeps, its provenance, and the revoke action. */
export function ImageTagPage(props: {
  readonly team: string;
  readonly artifact: string;
  readonly tag: string;
}) {
  const { team, artifact } = props;
  const tag = useQuery({
    queryKey: ["image-tag", team, artifact, props.tag],
    queryFn: () => get<ImageTag>(`/api/images/${seg(team)}/${seg(artifact)}/tags/${seg(props.tag)}`),
  });
  const mayRevoke = useMayChangeTeam(team);
  const [revoking, setRevoking] = useState(false);
  const [revokedNow, setRevokedNow] = useState(false);
  const crumbs = [
    { label: "Images", to: "/images" },
    { label: team, to: `/images?team=${seg(team)}` },
    { label: artifact, to: artifactPath(team, artifact) },
  ];

  if (tag.isPending) return <Loading label="Loading the tag…" />;
  if (tag.isError) {
    return (
      <>
        <PageHeader crumbs={crumbs} title={props.tag} />
        <ErrorState error={tag.error} retry={() => tag.refetch()} />
      </>
    );
  }
  const t = tag.data;
  const pinned = `${t.reference.slice(0, t.reference.length - t.tag.length - 1)}@${t.digest}`;
  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={
          <>
            <span className="mono-title">
              <span className="title-prefix">{t.repository}:</span>
              {t.tag}
            </span>{" "}
            {t.revoked !== null && <Badge tone="critical">Revoked</Badge>}
          </>
        }
        subtitle={`Pushed ${formatTime(t.pushed_at)} by ${t.pushed_by}`}
        actions={
          t.revoked === null && (
            <div className="guarded-action">
              <button
                type="button"
                className="button danger-outline"
                disabled={mayRevoke === "no" || mayRevoke === "checking"}
                aria-describedby={mayRevoke === "no" ? "revoke-denied" : undefined}
                onClick={() => setRevoking(true)}
              >
                Revoke tag
              </button>
              {mayRevoke === "no" && (
                <p id="revoke-denied" className="muted small">
                  Only members of team {t.team} and administrators can revoke its tags.
                </p>
              )}
            </div>
          )
        }
      />
      {revokedNow && (
        <p className="form-success" role="status">
          The tag is revoked.
        </p>
      )}
      {t.revoked !== null && (
        <section className="status status-bad revoked-banner" aria-labelledby="revoked-heading">
          <h2 id="revoked-heading">This tag is revoked: do not run it</h2>
          <p className="revoked-reason">{t.revoked.reason}</p>
          <p className="small">
            Revoked {formatTime(t.revoked.at)} by {t.revoked.by}
          </p>
        </section>
      )}

      <section className="panel" aria-labelledby="pull-heading">
        <h2 id="pull-heading">Pull</h2>
        <dl className="details">
          <dt>By tag</dt>
          <dd>
            <Copyable text={t.reference} what="the reference" />
          </dd>
          <dt>By digest</dt>
          <dd>
            <Copyable text={pinned} what="the digest-pinned reference" />
          </dd>
        </dl>
      </section>

      <div className="grid-2">
        <section className="panel" aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <dl className="details">
            <dt>Repository</dt>
            <dd>
              <code>{t.repository}</code>
            </dd>
            <dt>Digest</dt>
            <dd>
              <span className="copyable">
                <code title={t.digest}>{shortDigest(t.digest)}</code>
                <CopyButton text={t.digest} ariaLabel="Copy the digest" />
              </span>
            </dd>
            <dt>Media type</dt>
            <dd>
              <code className="break">{t.media_type}</code>
            </dd>
            <dt>Size</dt>
            <dd>
              {formatBytes(t.size)} <span className="muted small">({t.size.toLocaleString("en")} bytes)</span>
            </dd>
            <dt>Platforms</dt>
            <dd>
              {t.platforms.length === 0 ? (
                <span className="muted">Not stated</span>
              ) : (
                <span className="chips">
                  {t.platforms.map((p) => (
                    <code key={p} className="chip">
                      {p}
                    </code>
                  ))}
                </span>
              )}
            </dd>
            <dt>Created</dt>
            <dd>{t.created === null ? <span className="muted">Not stated</span> : formatTime(t.created)}</dd>
            <dt>Pushed</dt>
            <dd>
              {formatTime(t.pushed_at)} by {t.pushed_by}
            </dd>
            <dt>State</dt>
            <dd>
              {t.revoked === null ? <Badge tone="ok">Usable</Badge> : <Badge tone="critical">Revoked</Badge>}
            </dd>
          </dl>
        </section>
        <ProvenancePanel provenance={t.provenance} />
      </div>

      <RevokeDialog
        tag={t}
        open={revoking}
        onClose={() => setRevoking(false)}
        onRevoked={() => {
          setRevoking(false);
          setRevokedNow(true);
        }}
      />
    </>
  );
}
