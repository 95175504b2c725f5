"""The courses API: thin views over the courses services and selectors."""

from __future__ import annotations

from pathlib import PurePath

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lyceum.core import files
from lyceum.core.exceptions import Forbidden, NotFound
from lyceum.core.parsers import UPLOAD_PARSERS
from lyceum.core.throttling import UserRateThrottle

from .. import selectors, services
from ..cache import cached_catalog, cached_course
from ..markdown import render_markdown
from ..models import Lesson, LessonResource
from ..permissions import can_manage_course, can_manage_course_of
from . import serializers as s

E400 = OpenApiResponse(description="Validation error: `error.fields` names each bad field.")
E401 = OpenApiResponse(description="Not signed in.")
E403 = OpenApiResponse(description="Not allowed (not enrolled, or not this course's instructor).")
E404 = OpenApiResponse(description="No such object, or not visible to you.")

CATALOG_PARAMETERS = [
    OpenApiParameter("search", str, description="Words in the title, summary or description"),
    OpenApiParameter("category", str, description="Category slug"),
    OpenApiParameter("level", str, enum=["beginner", "intermediate", "advanced"]),
    OpenApiParameter("price", str, enum=["free", "paid"]),
    OpenApiParameter("instructor", str, description="Instructor username or id"),
    OpenApiParameter("tag", str, description="Tag slug"),
    OpenApiParameter("ordering", str, enum=list(selectors.ORDERINGS)),
]


def _catalog_filters(request: Request) -> dict:
    params = request.query_params
    return {
        name: params.get(name, "")[:200]
        for name in ("search", "category", "level", "price", "instructor", "tag", "ordering")
    }


def _viewer(request: Request):
    return request.user if request.user.is_authenticated else None


def viewer_status(viewer, *, course_id, instructor_id) -> dict:
    """The reader's standing in a course: enrolled (when, completed), may manage it."""
    enrollment = selectors.enrollment_in(user=viewer, course_id=course_id)
    return s.ViewerStatusSerializer(
        {
            "is_enrolled": enrollment is not None,
            "enrolled_at": enrollment.enrolled_at if enrollment else None,
            "completed_at": enrollment.completed_at if enrollment else None,
            "can_manage": viewer is not None and can_manage_course_of(viewer, course_id, instructor_id),
        }
    ).data


def course_detail_response(request: Request, course, *, viewer=...) -> Response:
    """A course page for the request's reader (or for ``viewer``: None for the public page)."""
    viewer = _viewer(request) if viewer is ... else viewer
    status_data = viewer_status(viewer, course_id=course.pk, instructor_id=course.instructor_id)
    serializer = s.CourseDetailSerializer(course, context={"request": request, "viewer_status": status_data})
    return Response(serializer.data)


class CourseListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = s.CourseListSerializer

    def get_queryset(self):
        return selectors.course_catalog(viewer=_viewer(self.request), **_catalog_filters(self.request))

    @extend_schema(parameters=CATALOG_PARAMETERS, summary="The course catalog", tags=["courses"])
    def get(self, request, *args, **kwargs):
        # Anonymous readers: from the versioned cache (lyceum/courses/cache.py).
        return cached_catalog(request, lambda: super(CourseListView, self).get(request, *args, **kwargs))


class CategoryListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: s.CategorySerializer(many=True)},
        summary="Every course category, by name (the catalog's filter)",
        tags=["courses"],
    )
    def get(self, request: Request) -> Response:
        return Response(s.CategorySerializer(selectors.categories(), many=True).data)


class CourseDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: s.CourseDetailSerializer, 404: E404},
        summary="A course with its modules and lessons",
        tags=["courses"],
    )
    def get(self, request: Request, id) -> Response:  # the contract names it {id}
        viewer = _viewer(request)
        # From the versioned cache, with the reader's own standing (lyceum/courses/cache.py).
        return cached_course(
            request,
            build_public=lambda: course_detail_response(
                request, selectors.course_get(viewer=None, course_id=id), viewer=None
            ),
            viewer_json=lambda instructor_id: JSONRenderer().render(
                viewer_status(viewer, course_id=id, instructor_id=instructor_id)
            ),
            build=lambda: course_detail_response(request, selectors.course_get(viewer=viewer, course_id=id)),
        )


class EnrollView(APIView):
    @extend_schema(
        request=None,
        responses={
            201: s.CourseProgressSerializer,
            200: s.CourseProgressSerializer,
            402: OpenApiResponse(description="A paid course."),
            401: E401,
            404: E404,
        },
        summary="Enroll in a course (again is harmless)",
        tags=["courses"],
    )
    def post(self, request: Request, id) -> Response:
        course = selectors.course_get(viewer=request.user, course_id=id)
        _, created = services.enroll(user=request.user, course=course)
        progress = selectors.course_progress(user=request.user, course=course)
        return Response(
            s.CourseProgressSerializer(progress).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=None, responses={204: None, 401: E401, 404: E404}, summary="Leave a course", tags=["courses"]
    )
    def delete(self, request: Request, id) -> Response:
        course = selectors.course_get(viewer=request.user, course_id=id)
        services.unenroll(user=request.user, course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseProgressView(APIView):
    @extend_schema(
        responses={200: s.CourseProgressSerializer, 401: E401, 403: E403, 404: E404},
        summary="Your progress in a course, per module",
        tags=["courses"],
    )
    def get(self, request: Request, id) -> Response:
        course = selectors.course_get(viewer=request.user, course_id=id)
        enrollment = selectors.enrollment_for(user=request.user, course=course)
        if enrollment is None:
            raise Forbidden("You are not enrolled in this course.", code="not_enrolled")
        progress = selectors.course_progress(user=request.user, course=course)
        progress.completed_at = enrollment.completed_at
        return Response(s.CourseProgressSerializer(progress).data)


class MyCoursesView(generics.ListAPIView):
    serializer_class = s.EnrollmentSerializer

    def get_queryset(self):
        return selectors.my_enrollments(user=self.request.user)

    @extend_schema(summary="The courses you are enrolled in, with progress", tags=["courses"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LessonDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: s.LessonDetailSerializer, 403: E403, 404: E404},
        summary="A lesson's content (enrolled students; anyone for previews)",
        tags=["courses"],
    )
    def get(self, request: Request, id) -> Response:
        view = selectors.lesson_for_viewer(viewer=_viewer(request), lesson_id=id)
        return Response(s.LessonDetailSerializer(view, context={"request": request}).data)


BINARY = OpenApiResponse(OpenApiTypes.BINARY, description="The file (inline if a safe type, else attachment)")
# The file's own type: whatever its content showed at upload (PDF, images, video, …).
FILE_200 = (200, "application/octet-stream")  # documented so; the real Content-Type is the file's


class LessonResourceFileView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={FILE_200: BINARY, 403: E403, 404: E404},
        summary="Download a lesson's file (whoever may read the lesson; checked on every download)",
        tags=["courses"],
    )
    def get(self, request: Request, id: int) -> HttpResponse:
        resource = selectors.lesson_resource_for_viewer(viewer=_viewer(request), resource_id=id)
        extension = PurePath(resource.file.name).suffix.lstrip(".") or "bin"
        return files.private_file_response(
            resource.file,
            content_type=resource.content_type,
            filename=files.download_name(resource.title, extension),
        )


class LessonCompleteView(APIView):
    @extend_schema(
        request=s.LessonCompleteSerializer,
        responses={200: s.CourseProgressSerializer, 401: E401, 403: E403, 404: E404},
        summary="Mark a lesson complete; returns the course progress",
        tags=["courses"],
    )
    def put(self, request: Request, id) -> Response:
        serializer = s.LessonCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        view = selectors.lesson_for_viewer(viewer=request.user, lesson_id=id)
        progress = services.lesson_complete(
            user=request.user, lesson=view.lesson, **serializer.validated_data
        )
        return Response(s.CourseProgressSerializer(progress).data)


# --- instructor ---------------------------------------------------------------------------------


class InstructorCourseListView(generics.ListAPIView):
    serializer_class = s.CourseListSerializer

    def get_queryset(self):
        return selectors.course_catalog(viewer=self.request.user, mine=True, **_catalog_filters(self.request))

    @extend_schema(
        parameters=CATALOG_PARAMETERS, summary="Your courses, drafts included", tags=["instructor"]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.CourseWriteSerializer,
        responses={201: s.CourseDetailSerializer, 400: E400, 403: E403},
        summary="Create a draft course",
        tags=["instructor"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.CourseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        course = services.course_create(instructor=request.user, **serializer.validated_data)
        response = course_detail_response(
            request, selectors.course_get(viewer=request.user, course_id=course.pk)
        )
        response.status_code = status.HTTP_201_CREATED
        return response


class InstructorCourseDetailView(APIView):
    @extend_schema(
        responses={200: s.CourseDetailSerializer, 404: E404},
        summary="One of your courses",
        tags=["instructor"],
    )
    def get(self, request: Request, id) -> Response:
        return course_detail_response(request, selectors.managed_course(user=request.user, course_id=id))

    def _update(self, request: Request, id, *, partial: bool) -> Response:
        course = selectors.managed_course(user=request.user, course_id=id)
        serializer = s.CourseWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.course_update(course=course, actor=request.user, **serializer.validated_data)
        return course_detail_response(request, selectors.course_get(viewer=request.user, course_id=id))

    @extend_schema(
        request=s.CourseWriteSerializer,
        responses={200: s.CourseDetailSerializer, 400: E400, 404: E404},
        summary="Change a course",
        tags=["instructor"],
    )
    def patch(self, request: Request, id) -> Response:
        return self._update(request, id, partial=True)

    @extend_schema(
        request=s.CourseWriteSerializer,
        responses={200: s.CourseDetailSerializer, 400: E400, 404: E404},
        summary="Replace a course's details",
        tags=["instructor"],
    )
    def put(self, request: Request, id) -> Response:
        return self._update(request, id, partial=False)

    @extend_schema(
        responses={204: None, 404: E404, 409: OpenApiResponse(description="Students are enrolled.")},
        summary="Delete a course nobody is enrolled in",
        tags=["instructor"],
    )
    def delete(self, request: Request, id) -> Response:
        services.course_delete(
            course=selectors.managed_course(user=request.user, course_id=id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstructorCoursePublishView(APIView):
    publish_it = True

    @extend_schema(
        request=None,
        responses={200: s.CourseDetailSerializer, 404: E404, 409: OpenApiResponse(description="No lessons.")},
        summary="Publish (or unpublish) a course",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        course = selectors.managed_course(user=request.user, course_id=id)
        services.course_publish(course=course, actor=request.user, publish_it=self.publish_it)
        return course_detail_response(request, selectors.course_get(viewer=request.user, course_id=id))


class InstructorModuleListView(APIView):
    @extend_schema(
        request=s.ModuleWriteSerializer,
        responses={201: s.ModuleSerializer, 400: E400, 404: E404},
        summary="Add a module at the end of a course",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        course = selectors.managed_course(user=request.user, course_id=id)
        serializer = s.ModuleWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        module = services.module_create(course=course, actor=request.user, **serializer.validated_data)
        return Response(s.ModuleSerializer(module).data, status=status.HTTP_201_CREATED)


class InstructorModuleReorderView(APIView):
    @extend_schema(
        request=s.ReorderSerializer,
        responses={200: s.CourseDetailSerializer, 400: E400, 404: E404},
        summary="Order a course's modules (every module id, once)",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        course = selectors.managed_course(user=request.user, course_id=id)
        serializer = s.ReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.modules_reorder(
            course=course, actor=request.user, module_ids=serializer.validated_data["ids"]
        )
        return course_detail_response(request, selectors.course_get(viewer=request.user, course_id=id))


class InstructorModuleDetailView(APIView):
    @extend_schema(
        request=s.ModuleWriteSerializer,
        responses={200: s.ModuleSerializer, 400: E400, 404: E404},
        summary="Rename a module",
        tags=["instructor"],
    )
    def patch(self, request: Request, id) -> Response:
        module = selectors.managed_module(user=request.user, module_id=id)
        serializer = s.ModuleWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        module = services.module_update(module=module, actor=request.user, **serializer.validated_data)
        return Response(s.ModuleSerializer(module).data)

    @extend_schema(
        responses={204: None, 404: E404}, summary="Delete a module and its lessons", tags=["instructor"]
    )
    def delete(self, request: Request, id) -> Response:
        services.module_delete(
            module=selectors.managed_module(user=request.user, module_id=id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstructorLessonListView(APIView):
    @extend_schema(
        request=s.LessonWriteSerializer,
        responses={201: s.LessonEditSerializer, 400: E400, 404: E404},
        summary="Add a lesson at the end of a module",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        module = selectors.managed_module(user=request.user, module_id=id)
        serializer = s.LessonWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("module", None)
        lesson = services.lesson_create(module=module, actor=request.user, **data)
        return _lesson_edit_response(request, lesson.pk, status.HTTP_201_CREATED)


class InstructorLessonReorderView(APIView):
    @extend_schema(
        request=s.ReorderSerializer,
        responses={200: s.LessonEditSerializer(many=True), 400: E400, 404: E404},
        summary="Order a module's lessons (every lesson id, once)",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        module = selectors.managed_module(user=request.user, module_id=id)
        serializer = s.ReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.lessons_reorder(
            module=module, actor=request.user, lesson_ids=serializer.validated_data["ids"]
        )
        lessons = (
            Lesson.objects.filter(module=module)
            .select_related("video")
            .prefetch_related("resources")
            .order_by("order")
        )
        return Response(s.LessonEditSerializer(lessons, many=True, context={"request": request}).data)


class InstructorLessonDetailView(APIView):
    @extend_schema(
        responses={200: s.LessonEditSerializer, 404: E404},
        summary="A lesson of yours, with its Markdown",
        tags=["instructor"],
    )
    def get(self, request: Request, id) -> Response:
        return _lesson_edit_response(request, selectors.managed_lesson(user=request.user, lesson_id=id).pk)

    @extend_schema(
        request=s.LessonWriteSerializer,
        responses={200: s.LessonEditSerializer, 400: E400, 404: E404},
        summary="Change a lesson (or move it to another module of the course)",
        tags=["instructor"],
    )
    def patch(self, request: Request, id) -> Response:
        lesson = selectors.managed_lesson(user=request.user, lesson_id=id)
        serializer = s.LessonWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        lesson = services.lesson_update(lesson=lesson, actor=request.user, **serializer.validated_data)
        return _lesson_edit_response(request, lesson.pk)

    @extend_schema(responses={204: None, 404: E404}, summary="Delete a lesson", tags=["instructor"])
    def delete(self, request: Request, id) -> Response:
        services.lesson_delete(
            lesson=selectors.managed_lesson(user=request.user, lesson_id=id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstructorCourseCoverView(APIView):
    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        request={"multipart/form-data": s.CoverSerializer},
        responses={200: s.CourseDetailSerializer, 400: E400, 404: E404},
        summary="Upload a cover image (JPEG, PNG, WebP or GIF)",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        course = selectors.managed_course(user=request.user, course_id=id)
        serializer = s.CoverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.course_set_cover(
            course=course, actor=request.user, image=serializer.validated_data["cover_image"]
        )
        return course_detail_response(request, selectors.course_get(viewer=request.user, course_id=id))


def _lesson_edit_response(request: Request, lesson_id, status_code=status.HTTP_200_OK):
    lesson = Lesson.objects.prefetch_related("resources").get(pk=lesson_id)
    return Response(s.LessonEditSerializer(lesson, context={"request": request}).data, status=status_code)


class InstructorLessonResourceView(APIView):
    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        request={"multipart/form-data": s.ResourceUploadSerializer},
        responses={201: s.ResourceSerializer, 400: E400, 404: E404},
        summary="Attach a downloadable file to a lesson",
        tags=["instructor"],
    )
    def post(self, request: Request, id) -> Response:
        lesson = selectors.managed_lesson(user=request.user, lesson_id=id)
        serializer = s.ResourceUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resource = services.lesson_resource_add(
            lesson=lesson,
            actor=request.user,
            title=serializer.validated_data.get("title", ""),
            file=serializer.validated_data["file"],
        )
        return Response(
            s.ResourceSerializer(resource, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class InstructorResourceDetailView(APIView):
    @extend_schema(
        responses={204: None, 404: E404}, summary="Remove a lesson's download", tags=["instructor"]
    )
    def delete(self, request: Request, id) -> Response:
        resource = LessonResource.objects.select_related("lesson__module__course").filter(pk=id).first()
        if resource is None or not can_manage_course(request.user, resource.lesson.module.course):
            raise NotFound("No such download among your courses.")
        services.lesson_resource_delete(resource=resource, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MarkdownPreviewView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle]
    throttle_scope = "markdown_preview"

    @extend_schema(
        request=s.MarkdownPreviewSerializer,
        responses={200: s.MarkdownPreviewSerializer, 400: E400},
        summary="Render lesson Markdown as the lesson page will show it",
        tags=["instructor"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.MarkdownPreviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"content": render_markdown(serializer.validated_data["content"])})
