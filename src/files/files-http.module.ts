import { Module } from '@nestjs/common';
import { FilesController } from './files.controller';
import { FilesModule } from './files.module';
import { FilesService } from './files.service';

/** `/files`: uploads, metadata, downloads and deletes, where the API is served. */
@Module({
  imports: [FilesModule],
  controllers: [FilesController],
  providers: [FilesService],
})
export class FilesHttpModule {}
