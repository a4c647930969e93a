import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { ProblemError } from "./api";
import { Link } from "./router";

export function PageHeader(props: {
  readonly title: ReactNode;
  readonly subtitle?: ReactNode;
  readonly crumbs?: { label: string; to: string }[];
  readonly actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      {props.crumbs !== undefined && (
        <nav aria-label="Breadcrumb" className="crumbs">
          {props.crumbs.map((crumb) => (
            <span key={crumb.to}>
              <Link to={crumb.to}>{crumb.label}</Link>
              <span aria-hidden="true"> / </span>
            </span>
          ))}
        </nav>
      )}
      <div className="page-header-row">
        <div>
          <h1>{props.title}</h1>
          {props.subtitle !== undefined && <p className="page-subtitle">{props.subtitle}</p>}
        </div>
        {props.actions !== undefined && <div className="page-actions">{props.actions}</div>}
      </div>
    </header>
  );
}

export function Loading({ label = "Loading…" }: { readonly label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

/** An error from the API: its problem document's detail, and a retry when one makes sense. */
export function ErrorState(props: { readonly error: unknown; readonly retry?: () => void }) {
  const { error } = props;
  const problem = error instanceof ProblemError ? error : undefined;
  const title =
    problem?.status === 404
      ? "Not found"
      : problem?.status === 403
        ? "Not allowed"
        : (problem?.title ?? "Something went wrong");
  const detail = problem?.detail ?? (error instanceof Error ? error.message : String(error));
  return (
    <div className="state state-error" role="alert">
      <strong>{title}</strong>
      <p>{detail}</p>
      {problem?.code !== undefined && <p className="muted small">Code {problem.code}</p>}
      {props.retry !== undefined && (
        <button type="button" className="button secondary" onClick={props.retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty(props: { readonly title: string; readonly children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{props.title}</strong>
      {props.children !== undefined && <div>{props.children}</div>}
    </div>
  );
}

/** A labelled form field; the label is tied to the control, a hint and an error are announced. */
export function Field(props: {
  readonly label: string;
  readonly hint?: ReactNode;
  readonly children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = useId();
  const hintId = props.hint === undefined ? undefined : `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, hintId)}
      {props.hint !== undefined && (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}

/** The outcome of a form submission: a problem's detail, in a live region. */
export function FormError({ error }: { readonly error: unknown }) {
  if (error === null || error === undefined) return null;
  const detail =
    error instanceof ProblemError
      ? (error.detail ?? error.title)
      : error instanceof Error
        ? error.message
        : "";
  return (
    <div className="form-error" role="alert">
      {detail}
    </div>
  );
}

export function Badge(props: {
  readonly tone: "ok" | "warn" | "muted" | "info" | "danger" | "critical";
  readonly children: ReactNode;
  readonly title?: string;
}) {
  return (
    <span className={`badge badge-${props.tone}`} title={props.title}>
      {props.children}
    </span>
  );
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** A byte count for people: decimal units, as registries and docker print them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Copies text to the clipboard and says so for a moment. `ariaLabel` names what is copied. */
export function CopyButton(props: {
  readonly text: string;
  readonly label?: string;
  readonly ariaLabel?: string;
}) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setCopied(true);
      timer.current = window.setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };
  return (
    <button
      type="button"
      className="button secondary small"
      onClick={copy}
      aria-live="polite"
      aria-label={copied ? "Copied" : props.ariaLabel}
    >
      {copied ? "Copied" : (props.label ?? "Copy")}
    </button>
  );
}

/** Forward-only cursors made two-way: the console remembers the cursors of the pages it came through. */
/**
 * Keyset paging for a list page: the stack of cursors that led to the page shown, so "Previous"
 * needs no cursor from the server. `pager(next_cursor)` gives the `Pager`'s props.
 */
export function useCursorPages<C>() {
  const [cursors, setCursors] = useState<C[]>([]);
  return {
    cursor: cursors.at(-1),
    reset: () => setCursors([]),
    pager: (next: C | null) => ({
      page: cursors.length + 1,
      hasPrevious: cursors.length > 0,
      hasNext: next !== null,
      onPrevious: () => setCursors(cursors.slice(0, -1)),
      onNext: () => {
        if (next !== null) setCursors([...cursors, next]);
      },
    }),
  };
}

export function Pager(props: {
  readonly hasPrevious: boolean;
  readonly hasNext: boolean;
  readonly onPrevious: () => void;
  readonly onNext: () => void;
  readonly page: number;
}) {
  if (!props.hasPrevious && !props.hasNext) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button
        type="button"
        className="button secondary"
        disabled={!props.hasPrevious}
        onClick={props.onPrevious}
      >
        Previous
      </button>
      <span className="muted">Page {props.page}</span>
      <button type="button" className="button secondary" disabled={!props.hasNext} onClick={props.onNext}>
        Next
      </button>
    </nav>
  );
}
