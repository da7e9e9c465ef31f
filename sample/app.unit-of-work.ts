import {
  defineRepository,
  Delete,
  DeletePrefix,
  Get,
  List,
  Put,
  Stat,
  UnitOfWork,
} from 'fennflow-nestjs';

/** What the sample does with user files: upsert, read, list, inspect and remove them. */
export const UserFilesRepository = defineRepository(
  Put,
  Get,
  List,
  Stat,
  Delete,
  DeletePrefix,
);

export class AppUnitOfWork extends UnitOfWork {
  readonly avatars = this.repository(UserFilesRepository, {
    namespace: 'avatars',
  });
  readonly profiles = this.repository(UserFilesRepository, {
    namespace: 'profiles',
  });
}
