"""The answer types, one module each, registered in this one table."""

from autograder.answers.choice import ChoiceAnswer
from autograder.answers.integer import IntegerAnswer
from autograder.answers.matrix import MatrixAnswer
from autograder.answers.shape import ShapeAnswer
from autograder.answers.text import TextAnswer

ANSWER_TYPES = {
    answer_type.name: answer_type
    for answer_type in (IntegerAnswer, ShapeAnswer, MatrixAnswer, ChoiceAnswer, TextAnswer)
}
