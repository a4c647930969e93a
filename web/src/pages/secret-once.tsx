import { CopyButton } from "../components";

/** A client secret, shown once: the server keeps only its hash. */
export function SecretOnce(props: {
  readonly clientId: string;
  readonly secret: string;
  readonly onDone: () => void;
}) {
  return (
    <section className="panel secret" aria-labelledby="secret-heading" role="alert">
      <h2 id="secret-heading">Secret of {props.clientId}</h2>
      <p>Copy it now and store it in your secret manager. It is not shown again.</p>
      <div className="secret-row">
        <code className="secret-value" data-testid="client-secret">
          {props.secret}
        </code>
        <CopyButton text={props.secret} label="Copy secret" />
      </div>
      <button type="button" className="button secondary" onClick={props.onDone}>
        I have stored it
      </button>
    </section>
  );
}
