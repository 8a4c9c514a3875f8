import { Module } from '@nestjs/common';
import { SchemaValidator } from '../common/schema/schema-validator';
import { FilesModule } from '../files/files.module';
import { AgentSecrets } from './agent-secrets';
import { AGENT_TYPES, AgentTypeRegistry } from './agent-type.registry';
import type { AgentType } from './agent-type';
import { AgentTypesController } from './agent-types.controller';
import { AgentsController } from './agents.controller';
import { AgentStateStore } from './agent-state.store';
import { AgentsService } from './agents.service';
import { FileReads } from './file-reads';
import { CircuitBreakers } from './outbound/circuit-breakers';
import { DnsHostResolver, HostResolver, NetworkGuard } from './outbound/network-guard';
import { OutboundHttpClient } from './outbound/outbound-http.client';
import { AgentRepository } from './persistence/agent.repository';
import { AGENT_TYPE_CLASSES } from './types';
import { ApiKeysModule } from '../api-keys/api-keys.module';

@Module({
  imports: [FilesModule, ApiKeysModule],
  controllers: [AgentsController, AgentTypesController],
  providers: [
    AgentsService,
    FileReads,
    AgentRepository,
    AgentStateStore,
    AgentSecrets,
    SchemaValidator,
    CircuitBreakers,
    NetworkGuard,
    OutboundHttpClient,
    { provide: HostResolver, useClass: DnsHostResolver },
    ...AGENT_TYPE_CLASSES,
    { provide: AGENT_TYPES, inject: AGENT_TYPE_CLASSES, useFactory: (...types: AgentType[]) => types },
    AgentTypeRegistry,
  ],
  exports: [
    AgentsService,
    FileReads,
    AgentStateStore,
    AgentTypeRegistry,
    SchemaValidator,
    NetworkGuard,
    OutboundHttpClient,
    CircuitBreakers,
  ],
})
export class AgentsModule {}
