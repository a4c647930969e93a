import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { get, seg } from "../api";
import {
  CopyButton,
  Empty,
  ErrorState,
  formatBytes,
  formatTime,
  Loading,
  PageHeader,
  Pager,
  useCursorPages,
} from "../components";
import { Link } from "../router";
import type { ImageTag, Page } from "../types";
import { ProvenanceSummary, RevokedNote, shortDigest, tagPath } from "./image-provenance";
import { registryHost } from "./images";

const PAGE_SIZE = 50;

/** One artifact: its tags, newest first, with digest, size, pusher, provenance and revoked state. */
export function ArtifactPage({ team, artifact }: { readonly team: string; readonly artifact: string }) {
  const pages = useCursorPages<string>();
  const cursor = pages.cursor;
  const repository = `${team}/${artifact}`;
  const tags = useQuery({
    queryKey: ["image-tags", team, artifact, { cursor }],
    queryFn: () =>
      get<Page<ImageTag>>(`/api/images/${seg(team)}/${seg(artifact)}/tags`, { limit: PAGE_SIZE, cursor }),
    placeholderData: keepPreviousData,
  });
  const crumbs = [
    { label: "Images", to: "/images" },
    { label: team, to: `/images?team=${seg(team)}` },
  ];
  const header = (
    <PageHeader
      crumbs={crumbs}
      title={repository}
      subtitle={
        <>
          Pull with <code>{`${registryHost()}/${repository}:<tag>`}</code>
        </>
      }
    />
  );

  if (tags.isPending) {
    return (
      <>
        {header}
        <Loading label="Loading tags…" />
      </>
    );
  }
  if (tags.isError) {
    return (
      <>
        {header}
        <ErrorState error={tags.error} retry={() => tags.refetch()} />
      </>
    );
  }
  return (
    <>
      {header}
      {tags.data.items.length === 0 ? (
        <Empty title="No tags yet.">
          <p>Push one with</p>
          <code className="command">{`docker push ${registryHost()}/${repository}:<tag>`}</code>
        </Empty>
      ) : (
        <>
          <section className="panel flush" aria-label={`Tags of ${repository}`}>
            <div className="table-wrap">
              <table className="stack-table" aria-busy={tags.isFetching}>
                <thead>
                  <tr>
                    <th scope="col">Tag</th>
                    <th scope="col">Digest</th>
                    <th scope="col">Size</th>
                    <th scope="col">Pushed</th>
                    <th scope="col">Provenance</th>
                  </tr>
                </thead>
                <tbody>
                  {tags.data.items.map((t) => (
                    <tr key={t.tag} className={t.revoked === null ? undefined : "row-revoked"}>
                      <td data-label="Tag">
                        <div>
                          <Link to={tagPath(t)} className="strong-link mono">
                            {t.tag}
                          </Link>
                          {t.revoked !== null && <RevokedNote revoked={t.revoked} />}
                        </div>
                      </td>
                      <td data-label="Digest">
                        <span className="digest">
                          <code title={t.digest}>{shortDigest(t.digest)}</code>
                          <CopyButton text={t.digest} ariaLabel={`Copy the digest of ${t.tag}`} />
                        </span>
                      </td>
                      <td data-label="Size" className="nowrap" title={`${t.size} bytes`}>
                        {formatBytes(t.size)}
                      </td>
                      <td data-label="Pushed">
                        <div>
                          <span className="nowrap">{formatTime(t.pushed_at)}</span>
                          <div className="muted small">by {t.pushed_by}</div>
                        </div>
                      </td>
                      <td data-label="Provenance" className="provenance-cell">
                        <ProvenanceSummary provenance={t.provenance} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <Pager {...pages.pager(tags.data.next_cursor)} />
        </>
      )}
    </>
  );
}
