import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { get, seg } from "../api";
import {
  Badge,
  Empty,
  ErrorState,
  formatTime,
  Loading,
  PageHeader,
  Pager,
  useCursorPages,
} from "../components";
import { Link, navigate, useLocation } from "../router";
import type { Artifact, Page } from "../types";
import { useTeams } from "./apps-list";
import { artifactPath } from "./image-provenance";

const PAGE_SIZE = 50;

/** The registry's host as clients name it: the console is served from Charter's public URL. */
export function registryHost(): string {
  return window.location.host;
}

/** The image registry's artifacts, of every team or of one. */
export function ImagesPage() {
  const { query } = useLocation();
  const team = query.get("team") ?? "";
  const pages = useCursorPages<string>();
  const cursor = pages.cursor;
  const teams = useTeams();
  const artifacts = useQuery({
    queryKey: ["artifacts", { team, cursor }],
    queryFn: () => get<Page<Artifact>>("/api/images", { team, limit: PAGE_SIZE, cursor }),
    placeholderData: keepPreviousData,
  });

  const setTeam = (value: string) => {
    pages.reset();
    navigate(value === "" ? "/images" : `/images?team=${seg(value)}`, { replace: true });
  };
  const teamName = teams.data?.items.find((t) => t.id === team)?.name ?? team;

  return (
    <>
      <PageHeader
        title="Images"
        subtitle="Container images in Charter's registry, each tag immutable and traced to its source."
      />
      <div className="toolbar">
        <div className="toolbar-filters">
          <label htmlFor="images-team">Team</label>
          <select id="images-team" value={team} onChange={(event) => setTeam(event.target.value)}>
            <option value="">All teams</option>
            {teams.data?.items.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
            {team !== "" && teams.data !== undefined && !teams.data.items.some((t) => t.id === team) && (
              <option value={team}>{team}</option>
            )}
          </select>
        </div>
        <p className="muted small toolbar-note">
          Push with <code>docker push {registryHost()}/&lt;team&gt;/&lt;artifact&gt;:&lt;tag&gt;</code>
        </p>
      </div>

      {artifacts.isPending ? (
        <Loading label="Loading images…" />
      ) : artifacts.isError ? (
        <ErrorState error={artifacts.error} retry={() => artifacts.refetch()} />
      ) : artifacts.data.items.length === 0 ? (
        team !== "" ? (
          <Empty title={`${teamName} has no images yet.`}>
            <p>Members of the team push to</p>
            <code className="command">{`${registryHost()}/${team}/<artifact>:<tag>`}</code>
            <button type="button" className="button secondary" onClick={() => setTeam("")}>
              Show all teams
            </button>
          </Empty>
        ) : (
          <Empty title="No images yet.">
            <p>
              Log in with <code>charter image login</code>, then push an image to
            </p>
            <code className="command">{`${registryHost()}/<team>/<artifact>:<tag>`}</code>
          </Empty>
        )
      ) : (
        <>
          <div className="panel flush">
            <div className="table-wrap">
              <table className="stack-table" aria-busy={artifacts.isFetching}>
                <thead>
                  <tr>
                    <th scope="col">Artifact</th>
                    <th scope="col">Team</th>
                    <th scope="col">Tags</th>
                    <th scope="col">Last pushed</th>
                  </tr>
                </thead>
                <tbody>
                  {artifacts.data.items.map((a) => (
                    <tr key={a.repository}>
                      <td data-label="Artifact">
                        <Link to={artifactPath(a.team, a.artifact)} className="strong-link">
                          {a.repository}
                        </Link>
                      </td>
                      <td data-label="Team">
                        <Link to={`/teams/${seg(a.team)}`}>
                          <Badge tone="info">{a.team}</Badge>
                        </Link>
                      </td>
                      <td data-label="Tags">{a.tag_count}</td>
                      <td data-label="Last pushed" className="nowrap">
                        {a.last_pushed_at === null ? (
                          <span className="muted">Never</span>
                        ) : (
                          formatTime(a.last_pushed_at)
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <Pager {...pages.pager(artifacts.data.next_cursor)} />
        </>
      )}
    </>
  );
}
