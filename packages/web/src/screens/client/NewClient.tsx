import { endpoints } from '../../api/endpoints';
import { navigate } from '../../app/router';
import { useT } from '../../i18n/i18n';
import { PageTitle } from '../../ui/ui';
import { ClientForm } from './ClientForm';

export function NewClient() {
  const t = useT();
  return (
    <section>
      <PageTitle title={t('client.newTitle')}>{t('client.newTitle')}</PageTitle>
      <ClientForm
        submitLabel={t('client.create')}
        onCancel={() => navigate('/')}
        onSave={async (input) => {
          const created = await endpoints.createClient(input);
          navigate(`/clients/${created.id}`);
        }}
      />
    </section>
  );
}
