import { Placeholder } from '../../components/placeholder';

export default function SettingsPage(_: { rest: string[] }) {
  return <Placeholder title="nav.settings" />;
}
