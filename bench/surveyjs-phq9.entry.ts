// The same nine PHQ-9 questions rendered with SurveyJS (survey-core + survey-js-ui), bundled by
// bench/page-weight.bench.ts to compare page weight. Not shipped: a baseline only.
import { Model } from 'survey-core';
import { renderSurvey } from 'survey-js-ui';
import 'survey-core/survey-core.min.css';

const choices = [
  { value: 0, text: 'Not at all' },
  { value: 1, text: 'Several days' },
  { value: 2, text: 'More than half the days' },
  { value: 3, text: 'Nearly every day' },
];
const items = [
  'Little interest or pleasure in doing things',
  'Feeling down, depressed, or hopeless',
  'Trouble falling or staying asleep, or sleeping too much',
  'Feeling tired or having little energy',
  'Poor appetite or overeating',
  'Feeling bad about yourself — or that you are a failure or have let yourself or your family down',
  'Trouble concentrating on things, such as reading the newspaper or watching television',
  'Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual',
  'Thoughts that you would be better off dead or of hurting yourself in some way',
];

const survey = new Model({
  title: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
  elements: items.map((title, i) => ({ type: 'radiogroup', name: `phq9_${i + 1}`, title, choices, isRequired: true })),
});
renderSurvey(survey, document.getElementById('survey') as HTMLElement);
