import { Module } from '@nestjs/common';
import { FileStorage } from './file-storage';
import { FileRepository } from './persistence/file.repository';
import { RecordFiles } from './record-files';

/** Files of records in FILES_DIR, as tasks (the data-processor) read and write them, wherever they run. */
@Module({
  providers: [FileRepository, FileStorage, RecordFiles],
  exports: [RecordFiles, FileRepository, FileStorage],
})
export class FilesModule {}
