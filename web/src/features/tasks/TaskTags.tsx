import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';

/** A task's tags as they were given (text, case kept), each a link to the tasks that carry it. */
export function TaskTags({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return null;
  return (
    <div className="task-tags-row">
      <Text size="sm" id="task-tags-label">
        Tags
      </Text>
      <ul className="task-tags" aria-labelledby="task-tags-label">
        {tags.map((tag) => (
          <li key={tag}>
            <Anchor
              component={Link}
              to={`/tasks?tag=${encodeURIComponent(tag)}`}
              size="sm"
              className="task-tag"
              aria-label={`Tasks tagged ${tag}`}
            >
              {tag}
            </Anchor>
          </li>
        ))}
      </ul>
    </div>
  );
}
