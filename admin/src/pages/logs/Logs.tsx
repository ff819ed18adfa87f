// PLACEHOLDER: the Logs page is not built yet (issue 15: the second UI
// engineer fills it in). Until then it says so instead of pretending.
import { Placeholder } from '../../components/placeholder';

export default function LogsPage() {
  return <Placeholder title="nav.logs" />;
}
