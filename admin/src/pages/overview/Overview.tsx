import { Placeholder } from '../../components/placeholder';

export default function OverviewPage(_: { rest: string[] }) {
  return <Placeholder title="nav.overview" />;
}
