import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect } from "react";
import { logout, startLogin } from "./auth";
import { AppEditPage } from "./pages/app-edit";
import { AppPage } from "./pages/app-page";
import { AppsPage } from "./pages/apps-list";
import { AuditPage } from "./pages/audit";
import { CallbackPage } from "./pages/callback";
import { ClientPage } from "./pages/client-page";
import { ClientsPage } from "./pages/clients";
import { ArtifactPage } from "./pages/image-artifact";
import { ImageTagPage } from "./pages/image-tag";
import { ImagesPage } from "./pages/images";
import { LoginPage } from "./pages/login";
import { NotFoundPage } from "./pages/not-found";
import { TeamPage } from "./pages/team-page";
import { TeamsPage } from "./pages/teams";
import { VersionNewPage } from "./pages/version-new";
import { VersionPage } from "./pages/version-page";
import { Link, match, useLocation } from "./router";
import { useSession } from "./session";

const NAV = [
  { to: "/apps", label: "Applications", section: "/apps" },
  { to: "/images", label: "Images", section: "/images" },
  { to: "/teams", label: "Teams", section: "/teams" },
  { to: "/clients", label: "Clients", section: "/clients" },
  { to: "/audit", label: "Audit log", section: "/audit" },
];

function route(path: string): ReactNode {
  const routes: [string, (p: Record<string, string>) => ReactNode][] = [
    ["/", () => <AppsPage />],
    ["/apps", () => <AppsPage />],
    ["/apps/new", () => <AppEditPage />],
    ["/apps/:app", (p) => <AppPage appId={p.app!} />],
    ["/apps/:app/edit", (p) => <AppEditPage appId={p.app!} />],
    ["/apps/:app/versions/new", (p) => <VersionNewPage appId={p.app!} />],
    ["/apps/:app/versions/:version", (p) => <VersionPage appId={p.app!} versionId={p.version!} />],
    ["/images", () => <ImagesPage />],
    ["/images/:team/:artifact", (p) => <ArtifactPage key={path} team={p.team!} artifact={p.artifact!} />],
    [
      "/images/:team/:artifact/tags/:tag",
      (p) => <ImageTagPage key={path} team={p.team!} artifact={p.artifact!} tag={p.tag!} />,
    ],
    ["/teams", () => <TeamsPage />],
    ["/teams/:team", (p) => <TeamPage teamId={p.team!} />],
    ["/clients", () => <ClientsPage />],
    ["/clients/:client", (p) => <ClientPage clientId={p.client!} />],
    ["/audit", () => <AuditPage />],
  ];
  for (const [pattern, render] of routes) {
    const params = match(pattern, path);
    if (params !== undefined) return render(params);
  }
  return <NotFoundPage />;
}

/** The frame of every page: the header with navigation and the person, then the page. */
export function Shell() {
  const { path, query } = useLocation();
  const session = useSession();
  const client = useQueryClient();

  useEffect(() => {
    if (session === undefined) client.clear();
  }, [session, client]);

  if (path === "/callback") return <CallbackPage search={query.toString()} />;
  if (session === undefined)
    return <LoginPage onLogin={() => startLogin(`${path}${window.location.search}`)} />;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/apps" className="brand" aria-label="Charter home">
            <span className="brand-mark" aria-hidden="true">
              C
            </span>
            <span>Charter</span>
          </Link>
          <nav aria-label="Main" className="mainnav">
            {NAV.map((item) => {
              const current =
                path === item.section ||
                path.startsWith(`${item.section}/`) ||
                (path === "/" && item.section === "/apps");
              return (
                <Link key={item.to} to={item.to} aria-current={current ? "page" : undefined}>
                  {item.label}
                </Link>
              );
            })}
          </nav>
          <div className="who">
            <span className="who-name" title="Signed in as">
              {session.subject}
            </span>
            <button type="button" className="button ghost small" onClick={logout}>
              Log out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        {route(path)}
      </main>
    </div>
  );
}
