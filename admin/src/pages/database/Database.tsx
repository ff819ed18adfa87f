import { Placeholder } from '../../components/placeholder';

export default function DatabasePage(_: { rest: string[] }) {
  return <Placeholder title="nav.database" />;
}
