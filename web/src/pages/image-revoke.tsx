import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { get, post, seg } from "../api";
import { Field, FormError } from "../components";
import { useSession } from "../session";
import type { ImageTag, Team } from "../types";

const ADMIN_SCOPE = "charter.admin";
const MAX_REASON = 1000;

/**
 * Whether the person may revoke the team's tags, as far as the console can tell: administrators and
 * members of the team may. "checking" while the team loads; "unknown" when it cannot be read, and
 * then the API decides (its 403 is shown).
 */
export function useMayChangeTeam(team: string): "yes" | "no" | "checking" | "unknown" {
  const session = useSession();
  const admin = session?.scopes.includes(ADMIN_SCOPE) === true;
  const details = useQuery({
    queryKey: ["team", team],
    queryFn: () => get<Team>(`/api/teams/${seg(team)}`),
    enabled: !admin,
    staleTime: 60_000,
  });
  if (admin) return "yes";
  if (details.isPending) return "checking";
  if (details.isError || details.data.members === undefined || session === undefined) return "unknown";
  return details.data.members.includes(session.subject) ? "yes" : "no";
}

/**
 * The revoke action: a modal dialog that asks for the reason and makes the person confirm, since a
 * revocation cannot be undone. A refusal from the API (403, 409) is shown in the dialog.
 */
export function RevokeDialog(props: {
  readonly tag: ImageTag;
  readonly open: boolean;
  readonly onClose: () => void;
  readonly onRevoked: (tag: ImageTag) => void;
}) {
  const { tag, open, onClose } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const queries = useQueryClient();
  const [reason, setReason] = useState("");
  const revoke = useMutation({
    mutationFn: () =>
      post<ImageTag>(`/api/images/${seg(tag.team)}/${seg(tag.artifact)}/tags/${seg(tag.tag)}/revoke`, {
        reason: reason.trim(),
      }),
    onSuccess: async (revoked) => {
      queries.setQueryData(["image-tag", tag.team, tag.artifact, tag.tag], revoked);
      setReason("");
      props.onRevoked(revoked);
      await queries.invalidateQueries({ queryKey: ["image-tags", tag.team, tag.artifact] });
    },
  });
  const { reset } = revoke;

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) {
      reset();
      element.showModal();
    } else if (!open && element.open) element.close();
  }, [open, reset]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim() !== "") revoke.mutate();
  };

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="revoke-title" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <h2 id="revoke-title">
          Revoke {tag.repository}:{tag.tag}?
        </h2>
        <p>
          A revoked tag stays in the registry, marked unusable, with your reason for everyone to see. This
          cannot be undone.
        </p>
        <Field label="Reason" hint="Required. Say why the image must not run, e.g. a CVE or a leaked secret.">
          {(id, describedBy) => (
            <textarea
              id={id}
              aria-describedby={describedBy}
              rows={3}
              required
              maxLength={MAX_REASON}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          )}
        </Field>
        <FormError error={revoke.error} />
        <div className="form-actions">
          <button type="submit" className="button danger" disabled={reason.trim() === "" || revoke.isPending}>
            {revoke.isPending ? "Revoking…" : "Revoke tag"}
          </button>
          <button type="button" className="button ghost" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
