import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { get, seg } from "../api";
import { Empty, ErrorState, Loading, PageHeader, Pager, useCursorPages } from "../components";
import { Link } from "../router";
import { useSession } from "../session";
import type { Page, Team } from "../types";

/** The teams, or only the person's own. */
export function TeamsPage() {
  const session = useSession();
  const [mine, setMine] = useState(false);
  const pages = useCursorPages<string>();
  const cursor = pages.cursor;
  const teams = useQuery({
    queryKey: ["teams", { mine, cursor }],
    queryFn: () =>
      get<Page<Team>>("/api/teams", { limit: 50, cursor, member: mine ? session?.subject : undefined }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title="Teams"
        subtitle="Teams own applications and clients; their members may change them."
      />
      <div className="toolbar">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={mine}
            onChange={(e) => {
              setMine(e.target.checked);
              pages.reset();
            }}
          />
          Only my teams
        </label>
      </div>
      {teams.isPending ? (
        <Loading label="Loading teams…" />
      ) : teams.isError ? (
        <ErrorState error={teams.error} retry={() => teams.refetch()} />
      ) : teams.data.items.length === 0 ? (
        <Empty title={mine ? "You are not a member of any team." : "No teams yet."} />
      ) : (
        <>
          <div className="panel flush">
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Team</th>
                    <th scope="col">Id</th>
                    <th scope="col">AWS accounts</th>
                  </tr>
                </thead>
                <tbody>
                  {teams.data.items.map((t) => (
                    <tr key={t.id}>
                      <td>
                        <Link to={`/teams/${seg(t.id)}`}>{t.name}</Link>
                        {t.description && <div className="muted small">{t.description}</div>}
                      </td>
                      <td>
                        <code>{t.id}</code>
                      </td>
                      <td>
                        {t.aws_accounts.length === 0 ? (
                          <span className="muted">None</span>
                        ) : (
                          t.aws_accounts.join(", ")
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <Pager {...pages.pager(teams.data.next_cursor)} />
        </>
      )}
    </>
  );
}
