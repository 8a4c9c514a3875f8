import { Module } from '@nestjs/common';
import { FileStorage } from './file-storage';
import { FileRepository } from './persistence/file.repository';
import { RecordFiles } from './record-files';
import { TempFileSweep } from './temp-file-sweep';

/** Files of records in FILES_DIR, as tasks (the data-processor) read and write them, wherever they run. */
@Module({
  providers: [FileRepository, FileStorage, RecordFiles, TempFileSweep],
  exports: [RecordFiles, FileRepository, FileStorage],
})
export class FilesModule {}
