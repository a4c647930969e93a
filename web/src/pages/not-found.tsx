import { Empty, PageHeader } from "../components";
import { Link } from "../router";

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Empty title="There is nothing at this address.">
        <Link to="/apps">Go to the applications</Link>
      </Empty>
    </>
  );
}
