/** The policy catalog: fixed for the lifetime of a server, so fetched once. */
import type { PolicyCatalog } from '../../../../main/common/api.ts';
import { asApiError, call, type ApiError } from '../api.ts';

class PoliciesStore {
  catalog = $state<PolicyCatalog | null>(null);
  error = $state<ApiError | null>(null);
  private loading = false;

  start(): void {
    if (this.loading) return;
    this.loading = true;
    call('policies:list', {}).then(
      (c) => {
        this.catalog = c;
      },
      (err) => {
        this.error = asApiError(err);
        this.loading = false;
      },
    );
  }
}

export const policies = new PoliciesStore();
