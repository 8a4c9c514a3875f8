import type { Type } from '@nestjs/common';
import type { AgentType } from '../agent-type';
import { CalculatorAgentType } from './calculator/calculator.agent-type';
import { DataProcessorAgentType } from './data-processor/data-processor.agent-type';
import { HttpAgentType } from './http/http.agent-type';
import { LlmAgentType } from './llm/llm.agent-type';

/** The built-in agent types. A new type: a folder beside these and one line here. */
export const AGENT_TYPE_CLASSES: Type<AgentType<never, never, unknown>>[] = [
  CalculatorAgentType,
  DataProcessorAgentType,
  HttpAgentType,
  LlmAgentType,
];
