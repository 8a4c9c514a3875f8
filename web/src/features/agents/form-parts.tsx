import { Button } from '@mantine/core';
import Form, { type FormProps, getDefaultRegistry } from '@rjsf/core';
import {
  ADDITIONAL_PROPERTY_FLAG,
  type ArrayFieldItemButtonsTemplateProps,
  type ArrayFieldTemplateProps,
  type BaseInputTemplateProps,
  type DescriptionFieldProps,
  type FieldProps,
  type FieldTemplateProps,
  type IconButtonProps,
  type MultiSchemaFieldTemplateProps,
  type ObjectFieldTemplateProps,
  type RegistryFieldsType,
  type TemplatesType,
  type UiSchema,
  ariaDescribedByIds,
  buttonId,
  englishStringTranslator,
  getUiOptions,
} from '@rjsf/utils';
import { useMemo, useState } from 'react';
import { TextWithCode } from '../../components/TextWithCode';
import { createCspSafeValidator, invalidJson, invalidJsonText } from './csp-validator';
import './form-parts.css';
import { plainErrors } from './plain-errors';
import { JSON_FIELD, OPTION, VALUE_LABEL, addLabel, asFormSchema, formStrings, secretUiSchema } from './schema-form';

const defaults = getDefaultRegistry().templates;

/** The words on an "Add" button, passed from the array or object template in its uiSchema's options. */
function withAddLabel(uiSchema: UiSchema | undefined, label: string): UiSchema {
  return { ...uiSchema, 'ui:options': { ...(uiSchema?.['ui:options'] ?? {}), addLabel: label } };
}

function TextButton({
  label,
  name,
  danger,
  ...props
}: IconButtonProps & { label: string; name?: string; danger?: boolean }) {
  return (
    <Button
      aria-label={name}
      type="button"
      size="compact-sm"
      variant={danger ? 'light' : 'default'}
      color={danger ? 'red' : undefined}
      id={props.id}
      className={props.className}
      onClick={props.onClick}
      disabled={props.disabled}
      style={props.style}
    >
      {label}
    </Button>
  );
}

function AddButton(props: IconButtonProps) {
  const label = props.uiSchema?.['ui:options']?.addLabel;
  return (
    <div className="rjsf-add">
      <TextButton {...props} label={typeof label === 'string' ? label : 'Add'} />
    </div>
  );
}

/**
 * rjsf's buttons of an array's item, each named with the item it acts on, by its schema's title and its place
 * from 1 ("Remove step 2", "Move up step 2"; "item 2" without a title): the words shown start the name.
 */
function ArrayFieldItemButtonsTemplate(props: ArrayFieldItemButtonsTemplateProps) {
  const { disabled, readonly, hasCopy, hasMoveDown, hasMoveUp, hasRemove, fieldPathId, registry, uiSchema } = props;
  const noun = typeof props.schema.title === 'string' && props.schema.title ? props.schema.title : 'item';
  const item = `${noun} ${props.index + 1}`;
  const common = { uiSchema, registry };
  return (
    <>
      {(hasMoveUp || hasMoveDown) && (
        <TextButton
          {...common}
          id={buttonId(fieldPathId, 'moveUp')}
          className="rjsf-array-item-move-up"
          disabled={disabled || readonly || !hasMoveUp}
          onClick={props.onMoveUpItem}
          label="Move up"
          name={`Move up ${item}`}
        />
      )}
      {(hasMoveUp || hasMoveDown) && (
        <TextButton
          {...common}
          id={buttonId(fieldPathId, 'moveDown')}
          className="rjsf-array-item-move-down"
          disabled={disabled || readonly || !hasMoveDown}
          onClick={props.onMoveDownItem}
          label="Move down"
          name={`Move down ${item}`}
        />
      )}
      {hasCopy && (
        <TextButton
          {...common}
          id={buttonId(fieldPathId, 'copy')}
          className="rjsf-array-item-copy"
          disabled={disabled || readonly}
          onClick={props.onCopyItem}
          label="Copy"
          name={`Copy ${item}`}
        />
      )}
      {hasRemove && (
        <TextButton
          {...common}
          id={buttonId(fieldPathId, 'remove')}
          className="rjsf-array-item-remove"
          disabled={disabled || readonly}
          onClick={props.onRemoveItem}
          label="Remove"
          name={`Remove ${item}`}
          danger
        />
      )}
    </>
  );
}

/** rjsf's array template, its "Add" button naming what it adds ("Add step"). */
function ArrayFieldTemplate(props: ArrayFieldTemplateProps) {
  const label = addLabel(props.schema.items, props.title);
  return <defaults.ArrayFieldTemplate {...props} uiSchema={withAddLabel(props.uiSchema, label)} />;
}

/** rjsf's object template, its "Add" button (objects of free-form keys) naming what it adds. */
function ObjectFieldTemplate(props: ObjectFieldTemplateProps) {
  const label = addLabel(props.schema.additionalProperties, props.title);
  // A chosen option's title is already the choice shown above it.
  const title = props.schema[OPTION] === true ? '' : props.title;
  return <defaults.ObjectFieldTemplate {...props} title={title} uiSchema={withAddLabel(props.uiSchema, label)} />;
}

/**
 * rjsf's description of a field, its code in backticks shown as code ({@link TextWithCode}), as the task form shows
 * an input's description: "written to a new file (`outputFileId`)" reads without the backticks.
 */
function DescriptionFieldTemplate({ id, description }: DescriptionFieldProps) {
  if (!description) return null;
  return (
    <div id={id} className="field-description">
      {typeof description === 'string' ? <TextWithCode text={description} /> : description}
    </div>
  );
}

/**
 * rjsf's field template, but the value of an added key (a header's) is labelled "Value", not by its key: the key
 * is in the "Key" field beside it (rjsf's WrapIfAdditionalTemplate).
 */
function FieldTemplate(props: FieldTemplateProps) {
  const { id, children, errors, help, description, hidden, required, displayLabel, schema, uiSchema } = props;
  if (!(ADDITIONAL_PROPERTY_FLAG in schema) || hidden) return <defaults.FieldTemplate {...props} />;
  return (
    <defaults.WrapIfAdditionalTemplate {...props}>
      {displayLabel && getUiOptions(uiSchema).widget !== 'checkbox' && (
        <label className="control-label" htmlFor={id}>
          {VALUE_LABEL}
          {required && <span className="required">*</span>}
        </label>
      )}
      {displayLabel && description}
      {children}
      {errors}
      {help}
    </defaults.WrapIfAdditionalTemplate>
  );
}

/**
 * rjsf's input, but a number's is a text input (with a keypad of digits): a browser's number input reports text
 * it cannot read (`1e400`, `-`) as empty, which the form would leave out and the server fill in with the
 * default. As text it reaches the form's checks, which say it is not a number; left empty, it is left out as
 * before. What was typed stays shown while it reads as the value held (`1e400`, not "Infinity").
 */
function BaseInputTemplate(props: BaseInputTemplateProps) {
  const [typed, setTyped] = useState<string | null>(null);
  const { schema, type, value, onChange, options, rawErrors, hideError } = props;
  // A field showing an error says so to assistive technology too.
  const invalid = rawErrors?.length && !hideError ? true : undefined;
  const numeric = (schema.type === 'number' || schema.type === 'integer') && (type === undefined || type === 'number');
  if (!numeric) return <defaults.BaseInputTemplate {...props} aria-invalid={invalid} />;
  const readsAsValue = typed !== null && typed.trim() !== '' && typeof value === 'number' && Number(typed) === value;
  return (
    <defaults.BaseInputTemplate
      {...props}
      aria-invalid={invalid}
      options={{ ...options, inputType: 'text' }}
      inputMode={schema.type === 'integer' ? 'numeric' : 'decimal'}
      value={readsAsValue ? typed : value}
      onChange={(next: unknown) => {
        setTyped(typeof next === 'string' ? next : null);
        onChange(next);
      }}
    />
  );
}

/** rjsf's English, but an added key's field is "Key" and its value starts empty (see formStrings). */
const translateString = formStrings(englishStringTranslator);

/** A choice between a oneOf's options ("Kind of step": filter, sort, …), labelled, then the chosen one's fields. */
function MultiSchemaFieldTemplate({ schema, selector, optionSchemaField }: MultiSchemaFieldTemplateProps) {
  return (
    <div className="rjsf-choice">
      {selector && (
        <label className="rjsf-choice-selector">
          <span>{typeof schema.title === 'string' && schema.title ? `Kind of ${schema.title}` : 'Kind'}</span>
          {selector}
        </label>
      )}
      {optionSchemaField}
    </div>
  );
}

function textOf(value: unknown): string {
  return invalidJsonText(value) ?? (value === undefined ? '' : JSON.stringify(value, null, 2));
}

function valueOf(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return invalidJson(text);
  }
}

/**
 * A value of any shape (a record, a condition's value) typed in as JSON. Text that does not parse is kept as it
 * is and the form says so on submit; the schema's own rules are checked against the parsed value.
 */
function JsonTextField({ formData, onChange, fieldPathId, disabled, readonly, rawErrors }: FieldProps) {
  const [text, setText] = useState(() => textOf(formData));
  // The form changed the value itself (another option chosen, an item removed): show what it holds now.
  const shown = textOf(valueOf(text)) === textOf(formData) ? text : textOf(formData);
  return (
    <textarea
      id={fieldPathId.$id}
      name={fieldPathId.$id}
      className="json-text"
      rows={Math.min(12, Math.max(2, shown.split('\n').length))}
      spellCheck={false}
      value={shown}
      disabled={disabled}
      readOnly={readonly}
      aria-invalid={rawErrors?.length ? true : undefined}
      aria-describedby={ariaDescribedByIds(fieldPathId.$id)}
      onChange={(event) => {
        setText(event.target.value);
        onChange(valueOf(event.target.value), fieldPathId.path);
      }}
    />
  );
}

/**
 * What every schema form of the console renders with: worded buttons, numbers typed as text, and JSON text for
 * free-form values.
 */
export const formParts: { templates: Partial<TemplatesType>; fields: RegistryFieldsType } = {
  templates: {
    ArrayFieldItemButtonsTemplate,
    ArrayFieldTemplate,
    BaseInputTemplate,
    ObjectFieldTemplate,
    FieldTemplate,
    DescriptionFieldTemplate,
    MultiSchemaFieldTemplate,
    ButtonTemplates: {
      ...defaults.ButtonTemplates,
      AddButton,
      RemoveButton: (props) => <TextButton {...props} label="Remove" danger />,
      MoveUpButton: (props) => <TextButton {...props} label="Move up" />,
      MoveDownButton: (props) => <TextButton {...props} label="Move down" />,
      CopyButton: (props) => <TextButton {...props} label="Copy" />,
    },
  },
  fields: { [JSON_FIELD]: JsonTextField },
};

/**
 * rjsf's form as the console's schema forms use it: these templates and fields, the schema's checks only (not the
 * browser's), each error in plain words on its field and none listed above, the first field in error focused on
 * submit.
 */
export function SchemaForm<T = unknown>(props: FormProps<T>) {
  return (
    <Form<T>
      {...formParts}
      translateString={translateString}
      transformErrors={plainErrors}
      noHtml5Validate
      showErrorList={false}
      focusOnFirstError
      {...props}
    />
  );
}

/**
 * What a form for an agent type's config needs from its JSON Schema (null while the type is unknown): the schema as
 * the form shows it, its secrets as password fields, and a validator that checks against the schema itself, so one
 * submit shows every problem the server would report. `keepsSecrets`: a saved config, whose masked secrets stay.
 */
export function useConfigSchemaForm(configSchema: Record<string, unknown> | undefined, keepsSecrets = false) {
  return useMemo(
    () => ({
      schema: configSchema ? asFormSchema(configSchema) : null,
      uiSchema: configSchema ? secretUiSchema(configSchema) : {},
      validator: createCspSafeValidator(configSchema, keepsSecrets),
    }),
    [configSchema, keepsSecrets],
  );
}
